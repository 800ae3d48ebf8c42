"""The editors' admin: entry, review and publishing, revision history, concurrent edits, CSV import.

The admin stays thin: status changes go through events.services (which check each move's permission
on the server, as the workflow table says), the import through editorial.importing, and the version
check that refuses a stale save lives in Event.save(). Status is never a form field: it moves only by
the workflow. One module per job; this one registers them (Django's autodiscover imports it).
"""

from django.contrib import admin

from editorial.admin.changelist import EstimatedCountPaginator
from editorial.admin.event import EventAdmin
from editorial.admin.parts import ReactionAdmin, SourceAdmin
from editorial.admin.vocabulary import ActorAdmin, CountryAdmin, EventTypeAdmin, RegionAdmin
from events.models import Actor, Country, Event, EventType, Reaction, Region, Source

__all__ = ["EstimatedCountPaginator"]

admin.site.register(Country, CountryAdmin)
admin.site.register(Region, RegionAdmin)
admin.site.register(Actor, ActorAdmin)
admin.site.register(EventType, EventTypeAdmin)
admin.site.register(Source, SourceAdmin)
admin.site.register(Reaction, ReactionAdmin)
admin.site.register(Event, EventAdmin)
