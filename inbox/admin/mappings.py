"""The mappings from datasets' codes to our vocabulary: read by editors, kept by publishers, who keep the
vocabulary itself (events.roles)."""

from __future__ import annotations

from django.contrib import admin

READ, KEEP = "events.view_eventtype", "events.change_eventtype"


class MappingAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.has_perm(READ)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(READ)

    def has_add_permission(self, request):
        return request.user.has_perm(KEEP)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(KEEP)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(KEEP)


class AcledTypeMappingAdmin(MappingAdmin):
    list_display = ["acled_event_type", "acled_sub_event_type", "event_type"]
    list_filter = ["acled_event_type"]


class ActorCodeAdmin(MappingAdmin):
    list_display = ["code", "dataset", "actor"]
    list_filter = ["dataset"]
    search_fields = ["code", "actor__name"]
