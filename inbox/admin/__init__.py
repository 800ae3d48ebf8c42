"""The inbox's admin: the inbox page (Candidates), and the mappings publishers keep."""

from django.contrib import admin

from inbox.admin.inbox import CandidateAdmin
from inbox.admin.mappings import AcledTypeMappingAdmin, ActorCodeAdmin
from inbox.models import AcledTypeMapping, ActorCode, Candidate

admin.site.register(Candidate, CandidateAdmin)
admin.site.register(AcledTypeMapping, AcledTypeMappingAdmin)
admin.site.register(ActorCode, ActorCodeAdmin)
