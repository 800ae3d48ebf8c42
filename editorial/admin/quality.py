"""The data quality page: the problems of manage.py check_record, for editors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from events import quality


class QualityAdmin:
    """The event admin's data quality page: mixed into EventAdmin, before the ModelAdmin it extends."""

    QUALITY_SHOWN_PER_RULE = 100

    def quality_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        scope = request.GET.get("scope") if request.GET.get("scope") in ("published", "all") else "published"
        events = quality.events_to_check(all_statuses=scope == "all")
        reports = quality.rule_reports(events, limit=self.QUALITY_SHOWN_PER_RULE)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Data quality: what in the record needs an editor",
            "reports": reports,
            "errors": sum(report.errors for report in reports),
            "warnings": sum(report.warnings for report in reports),
            "truncated": any(report.more for report in reports),
            "scope": scope,
            "shown_per_rule": self.QUALITY_SHOWN_PER_RULE,
        }
        return TemplateResponse(request, "admin/events/event/quality.html", context)
