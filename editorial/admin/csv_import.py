"""The CSV import page: preview first, then import the same file (editorial.importing does the work)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from editorial import importing
from events.record import NAMES

IMPORT_SESSION_KEY = "events_import_upload"


class CsvImportAdmin:
    """The event admin's import page: mixed into EventAdmin, before the ModelAdmin it extends."""

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        importing.purge_expired_uploads()
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import events from CSV",
            "columns": NAMES,
            "limits": importing.ImportLimits.for_web(),
            "max_megabytes": importing.megabytes(importing.ImportLimits.for_web().max_bytes or 0),
        }
        if request.method != "POST":
            return TemplateResponse(request, "admin/events/event/import.html", context)
        # Whatever happens next, a file previewed earlier in this session is done with.
        previous = request.session.pop(IMPORT_SESSION_KEY, None)
        if "_import" not in request.POST and previous:
            importing.discard_upload(previous)
        if getattr(request, "upload_too_large", False):
            limit = importing.megabytes(settings.IMPORT_MAX_UPLOAD_BYTES)
            self.message_user(
                request,
                f"Not imported: the file is larger than {limit}, the most an upload takes. "
                "Import it on the server with: manage.py import_events FILE",
                messages.ERROR,
            )
        elif "_cancel" in request.POST:
            self.message_user(request, "Import cancelled; the uploaded file was deleted.", messages.INFO)
        elif request.FILES.get("csv_file"):
            # Step 1, the preview: keep the upload in a private temporary file (its name only in the
            # session), validate it all, and show what would happen. Nothing is written.
            token = importing.store_upload(request.FILES["csv_file"])
            try:
                with importing.stored_upload(token) as file:
                    report = importing.import_events(file=file, user=request.user, dry_run=True)
            except BaseException:
                importing.discard_upload(token)
                raise
            if report.ok and report.rows:
                request.session[IMPORT_SESSION_KEY] = token
            else:
                importing.discard_upload(token)
            context.update(report=report, dry_run=True)
        elif "_import" in request.POST:
            # Step 2, after the preview: import the same file, validated again, in one transaction.
            if not previous or not importing.upload_exists(previous):
                self.message_user(request, "Upload the file again: the previewed file has expired.", messages.ERROR)
                return HttpResponseRedirect(request.path)
            try:
                with importing.stored_upload(previous) as file:
                    report = importing.import_events(file=file, user=request.user)
            finally:
                importing.discard_upload(previous)
            if report.ok:
                self.message_user(request, report.summary, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:events_event_changelist") + "?status__exact=draft")
            context.update(report=report, dry_run=False)
        return TemplateResponse(request, "admin/events/event/import.html", context)
