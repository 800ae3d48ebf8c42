"""A source from its URL, and what the checks of its page found.

The source forms (the event form's source rows and the Source form) carry a "Fill from the page" button
(static/admin/events/fill_from_page.js) beside the URL: it calls the look-up here, a staff-only JSON
endpoint throttled per user, which fetches the page server-side (editorial.sources) and answers with
its publisher, title, published date and language for the editor to confirm. Looking up a saved
source's own URL also keeps a copy of its page. The source list shows what the latest check of each
page found and filters the sources that need an editor.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse

from editorial.models import Finding, SourceSnapshot, with_page_checks
from editorial.sources import snapshots
from editorial.sources.fetch import FetchError
from events.models import Source

FILL_FROM_PAGE_JS = "admin/events/fill_from_page.js"
# Each look-up makes our server fetch a page: an editor needs a few a minute, a runaway script no more.
LOOKUPS_PER_MINUTE = 20
LOOKUP_URL_NAME = "events_source_lookup"


def lookup_allowed(user_id: int) -> bool:
    """Count this look-up against the user's minute (the cache is shared by every app server)."""
    key = f"source-lookup:{user_id}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) <= LOOKUPS_PER_MINUTE
    except ValueError:  # the key expired between add and incr: a new minute began
        return True


class FillsFromThePage:
    """Gives a source form's URL field the look-up's address, for the script's button."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs.setdefault("assume_scheme", "https")  # a pasted "news.example/x" is an https URL
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "url":
            formfield.widget.attrs["data-lookup-url"] = reverse(f"admin:{LOOKUP_URL_NAME}")
        return formfield


class PageCheckFilter(admin.SimpleListFilter):
    title = "page check"
    parameter_name = "page"
    NEEDS_ATTENTION, UNCHECKED = "attention", "unchecked"

    def lookups(self, request, model_admin):
        return [(self.NEEDS_ATTENTION, "needs attention"), *Finding.choices, (self.UNCHECKED, "never checked")]

    def queryset(self, request, queryset):
        if self.value() == self.NEEDS_ATTENTION:
            return queryset.filter(page_finding__in=SourceSnapshot.NEEDS_ATTENTION)
        if self.value() == self.UNCHECKED:
            return queryset.filter(page_finding__isnull=True)
        if self.value() in Finding.values:
            return queryset.filter(page_finding=self.value())
        return queryset


class SourceChecksAdmin(FillsFromThePage):
    """The Source admin's look-up endpoint and page checks: mixed in before the ModelAdmin it extends."""

    def get_urls(self):
        lookup = path("lookup/", self.admin_site.admin_view(self.lookup_view), name=LOOKUP_URL_NAME)
        return [lookup, *super().get_urls()]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return with_page_checks(super().get_queryset(request))

    @admin.display(description="page check", ordering="page_finding")
    def page_check(self, obj: Source) -> str:
        return Finding(obj.page_finding).label if obj.page_finding else "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "url" in form.base_fields:
            # The look-up keeps a copy of a saved source's page: the script says which source it is.
            form.base_fields["url"].widget.attrs["data-source-id"] = str(obj.pk)
        return form

    def lookup_view(self, request: HttpRequest) -> JsonResponse:
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        if not lookup_allowed(request.user.pk):
            return JsonResponse(
                {"error": f"At most {LOOKUPS_PER_MINUTE} look-ups a minute: wait a moment and try again."},
                status=429,
                headers={"Retry-After": "60"},
            )
        url = request.GET.get("url", "").strip()
        if not url:
            return JsonResponse({"error": "Paste the page's address first."}, status=400)
        try:
            result = snapshots.look_up(url, source=self.source_to_keep(request))
        except FetchError as error:
            return JsonResponse({"error": str(error)}, status=502)
        except ValidationError as error:
            return JsonResponse({"error": f"The page cannot be kept: {' '.join(error.messages)}"}, status=502)
        return JsonResponse(found_json(result))

    def source_to_keep(self, request: HttpRequest) -> Source | None:
        """The saved source the look-up is for, when the user may see it (its page's copy is kept)."""
        source_id = request.GET.get("source", "")
        source = Source.objects.filter(pk=source_id).first() if source_id.isdigit() else None
        return source if source is not None and self.has_view_or_change_permission(request, source) else None


def found_json(result: snapshots.LookUp) -> dict[str, Any]:
    found = result.found
    return {
        "url": result.page.url,
        "final_url": result.page.final_url,
        "publisher": found.publisher,
        "title": found.title,
        "published_on": found.published_on.isoformat() if found.published_on else "",
        "language": found.language,
        "copy_kept": result.kept is not None,
    }
