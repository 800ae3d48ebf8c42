"""The standalone lists of an event's parts: its sources, and its reaction links."""

from __future__ import annotations

from django.contrib import admin

from editorial.admin.autocomplete import responds_to_field
from editorial.admin.base import SELECT2_NAMES_JS, EventPartAdmin
from editorial.admin.sources import FILL_FROM_PAGE_JS, PageCheckFilter, SourceChecksAdmin
from events.models import PUBLIC_STATUSES, Event, Reaction, Source


class SourceAdmin(SourceChecksAdmin, EventPartAdmin):
    """Sources are entered on their event; this list is for finding one (e.g. every source of a publisher,
    or every source whose page needs attention)."""

    list_display = ["publisher", "title", "kind", "published_on", "event", "page_check"]
    list_filter = ["kind", PageCheckFilter]
    list_select_related = ["event"]
    search_fields = ["publisher", "title", "url"]
    autocomplete_fields = ["event"]
    show_full_result_count = False

    def owner(self, obj: Source | None) -> Event | None:
        """A link's own source (no event) shows on the pages of the links it backs: it is theirs, and
        a public one's first, so that an editor cannot change what readers see through it."""
        if obj is None or obj.event_id:
            return super().owner(obj)
        links = obj.backed_links.select_related("event").order_by("-event__published_at")
        link = links.filter(event__status__in=PUBLIC_STATUSES).first() or links.first()
        return link.event if link else None

    class Media:
        js = [SELECT2_NAMES_JS, FILL_FROM_PAGE_JS]


class ReactionAdmin(EventPartAdmin):
    """A link belongs to the reacting event's record (its "responds to" list, reviewed with it). Readers
    see a link only when both its ends are public, so a link whose reacting event is a draft may point
    at a published event: it appears when a publisher publishes the draft."""

    list_display = ["event", "kind", "responds_to", "basis"]
    list_filter = ["kind"]
    list_select_related = ["event", "responds_to"]
    autocomplete_fields = ["event", "responds_to", "basis_source"]

    @admin.display(description="basis")
    def basis(self, obj: Reaction) -> str:
        return {"source": "a source", "judgement": "editors' judgement"}.get(obj.basis_kind, "none given")

    show_full_result_count = False

    class Media:
        js = [SELECT2_NAMES_JS]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "responds_to":
            return responds_to_field(db_field, request, self.admin_site, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
