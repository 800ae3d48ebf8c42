"""The publisher's review of an event: what changed since its last publication, its likely duplicates,
what the latest check of each source's page found, and what publishing requires, item by item, as the
publish move itself checks it (events.models.workflow.PUBLISH_CHECKS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from editorial.models import SourceSnapshot, with_page_checks
from events import duplicates, history
from events.models import Event, Source, workflow

# What the review says of a source whose page no check has fetched yet.
NEVER_CHECKED = "never checked"


@dataclass(frozen=True)
class SourceRow:
    source: Source
    finding: str  # what the latest check of its page found, in words
    needs_attention: bool
    kept_copy_on: Any  # for a page gone: when the copy of its text we keep was taken


def source_row(source: Source) -> SourceRow:
    """A source annotated by editorial.models.with_page_checks, as the review lists it."""
    finding = source.page_finding
    return SourceRow(
        source=source,
        finding=SourceSnapshot.Finding(finding).label if finding else NEVER_CHECKED,
        needs_attention=finding in SourceSnapshot.NEEDS_ATTENTION,
        kept_copy_on=source.kept_copy_on,
    )


class ReviewAdmin:
    """The review page: mixed into EventAdmin, before the ModelAdmin it extends. For the users the
    workflow table lets publish; the event's form links it for them."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and workflow.PUBLISH.permits(request.user):
            context["review_url"] = reverse("admin:events_event_review", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not workflow.PUBLISH.permits(request.user):
            raise PermissionDenied
        event = get_object_or_404(Event.objects.select_related("event_type"), pk=object_id)
        published, fields, related = history.changes_since_publication(event=event)
        sources = with_page_checks(event.sources.order_by("pk"))
        checks = [(check.label, check.problems(event)) for check in workflow.PUBLISH_CHECKS]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": event,
            "title": f"Review “{event.title}”",
            "event": event,
            "published": published,
            "field_changes": fields,
            "related_changes": related,
            "likely_duplicates": duplicates.likely_duplicates_of(event=event),
            "duplicate_rule": duplicates.RULE,
            "sources": [source_row(source) for source in sources],
            "checks": checks,
            "ready": not any(problems for _, problems in checks),
            "publishable": workflow.PUBLISH.starts_from(event.status),
        }
        return TemplateResponse(request, "admin/events/event/review.html", context)
