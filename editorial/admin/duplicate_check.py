"""Likely duplicates shown while a new event is typed, before it can be saved.

The add form's script (static/admin/events/duplicate_check.js) sends what the form holds (title, date,
type and the actors' rows) to a staff-only JSON endpoint here, which answers with the likely duplicates
the rule (events.duplicates) finds, and shows them above the fields with the "Not a duplicate" tick and
its reason. The form checks again on save (EventAdminForm.check_duplicates): the script only says it
sooner, without a page load.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse

from events import duplicates, text
from events.models import EventActor

DUPLICATE_CHECK_JS = "admin/events/duplicate_check.js"
DUPLICATE_CHECK_URL_NAME = "events_event_duplicates"
# The actors' rows one question may carry ("actor=<id>:<role>"), at most.
MAX_ACTORS = 50


class DuplicateQuestion(forms.Form):
    title = forms.CharField(max_length=200, validators=[text.validate_line])
    date = forms.DateField(error_messages={"invalid": "Enter the date as YYYY-MM-DD, e.g. 2024-03-08."})
    event_type = forms.IntegerField(required=False, min_value=1)

    def actors(self, values: list[str]) -> duplicates.Actors:
        """The actors' rows as "<actor id>:<role>"; a ValueError says what is wrong with one."""
        if len(values) > MAX_ACTORS:
            raise ValueError(f"At most {MAX_ACTORS} actors.")
        actors = set()
        for value in values:
            actor_id, _, role = value.partition(":")
            if not actor_id.isdigit() or role not in EventActor.Role.values:
                raise ValueError(f"An actor is “<id>:<role>”, the role one of {', '.join(EventActor.Role.values)}.")
            actors.add((int(actor_id), role))
        return frozenset(actors)


def duplicate_json(duplicate: duplicates.LikelyDuplicate) -> dict[str, Any]:
    event = duplicate.event
    return {
        "url": reverse("admin:events_event_change", args=[event.pk]),
        "label": str(event),
        "status": event.get_status_display().lower(),
        "why": duplicate.why,
    }


class DuplicateCheckAdmin:
    """The event admin's live duplicate check: mixed in before the ModelAdmin it extends."""

    def get_urls(self):
        check = path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name=DUPLICATE_CHECK_URL_NAME)
        return [check, *super().get_urls()]

    def duplicates_view(self, request: HttpRequest) -> JsonResponse:
        """?title=…&date=…&event_type=…&actor=<id>:<role>… → {"duplicates": [...]} of a new event."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        question = DuplicateQuestion(request.GET)
        if not question.is_valid():
            errors = [f"{name}: {' '.join(messages)}" for name, messages in question.errors.items()]
            return JsonResponse({"error": " ".join(errors)}, status=400)
        try:
            actors = question.actors(request.GET.getlist("actor"))
        except ValueError as error:
            return JsonResponse({"error": str(error)}, status=400)
        found = duplicates.likely_duplicates(
            title=question.cleaned_data["title"],
            date=question.cleaned_data["date"],
            event_type_id=question.cleaned_data["event_type"],
            actors=actors,
        )
        return JsonResponse({"duplicates": [duplicate_json(duplicate) for duplicate in found]})
