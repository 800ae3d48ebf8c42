"""The workflow on the event's admin: the form's buttons, the list's actions and the retraction page,
all where the workflow table (events/models/workflow.py) allows each move, all through events.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from events import services
from events.models import Event, workflow

# The form's button of each move, by the move's name; a retraction has none that saves the form: its
# link opens a page that asks for the public note.
FORM_BUTTONS = {
    workflow.SEND_TO_REVIEW.name: "_submit_review",
    workflow.PUBLISH.name: "_publish",
    workflow.SEND_BACK_TO_DRAFT.name: "_send_back_to_draft",
}


class WorkflowAdmin:
    """The event admin's workflow: mixed into EventAdmin, before the ModelAdmin it extends."""

    # The list's actions, one method each below, named after its move.
    actions = list(workflow.TRANSITIONS)

    # --- the form's buttons ---

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["workflow"] = self.workflow_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_buttons(self, request: HttpRequest, obj: Event | None) -> dict[str, bool]:
        """The moves the form offers, by name: where the workflow table allows them from the event's
        status (a new event is created a draft) to this user, on a form this user may save."""
        status = obj.status if obj else Event.Status.DRAFT
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        return {
            name: editable and transition.available(status=status, user=request.user)
            for name, transition in workflow.TRANSITIONS.items()
        }

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _after_save(self, request: HttpRequest, obj: Event) -> HttpResponse | None:
        """The form's workflow buttons: save first (inlines included), then move the status, so the
        publishing rules see the actors and sources entered in this same request."""
        pressed = [name for name, button in FORM_BUTTONS.items() if button in request.POST]
        if not pressed:
            return None
        done = workflow.TRANSITIONS[pressed[0]].done
        try:
            services.SERVICES[pressed[0]](event=obj, user=request.user)
        except PermissionDenied:
            raise  # a direct POST by an editor: the whole request (the edit too) is rolled back
        except ValidationError as exc:
            self.message_user(request, f"Saved, but not {done}: " + " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, f"“{obj.title}” saved and {done}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:events_event_change", args=[obj.pk]))

    # --- actions (each event through the services, so each is checked, versioned and in the history) ---

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """The list's workflow actions are offered to the users the table gives their permission."""
        actions = super().get_actions(request)
        for name, transition in workflow.TRANSITIONS.items():
            if not transition.permits(request.user):
                actions.pop(name, None)
        return actions

    def _each(self, request: HttpRequest, queryset: QuerySet[Event], name: str, **kwargs: Any) -> None:
        """Make the move `name` on each event, or say why the table refuses it for that one."""
        step, done = services.SERVICES[name], workflow.TRANSITIONS[name].done
        succeeded = 0
        for event in queryset:
            try:
                with transaction.atomic():
                    step(event=event, user=request.user, **kwargs)
            except ValidationError as exc:
                self.message_user(request, f"“{event.title}” not {done}: " + " ".join(exc.messages), messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} event(s) {done}.", messages.SUCCESS)

    @admin.action(description="Send selected events to review")
    def send_to_review(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        self._each(request, queryset, workflow.SEND_TO_REVIEW.name)

    @admin.action(description="Publish selected events")
    def publish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        self._each(request, queryset, workflow.PUBLISH.name)

    @admin.action(description="Send selected events back to draft")
    def send_back_to_draft(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        self._each(request, queryset, workflow.SEND_BACK_TO_DRAFT.name)

    @admin.action(description="Retract selected events…")
    def retract(self, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse | None:
        note = request.POST.get("retraction_note", "")
        if "confirm" in request.POST and note.strip():
            self._each(request, queryset, workflow.RETRACT.name, note=note)
            return None
        return self._retract_page(request, list(queryset), note=note, bulk=True)

    def retract_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        event = get_object_or_404(Event, pk=object_id)
        if not workflow.RETRACT.permits(request.user):
            raise PermissionDenied
        note = request.POST.get("retraction_note", "")
        if request.method == "POST" and note.strip():
            self._each(request, Event.objects.filter(pk=event.pk), workflow.RETRACT.name, note=note)
            return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
        return self._retract_page(request, [event], note=note, bulk=False)

    def _retract_page(self, request: HttpRequest, events: list[Event], *, note: str, bulk: bool) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Retract events",
            "events": events,
            "note": note,
            "missing_note": request.method == "POST" and ("confirm" in request.POST or not bulk) and not note.strip(),
            "note_required": workflow.RETRACTION_NEEDS_NOTE,
            "bulk": bulk,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/event/retract.html", context)
