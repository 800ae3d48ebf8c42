"""What an event may respond to: the `responds_to` autocomplete of the reaction links."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from events.models import PUBLIC_STATUSES, Event, Reaction


def respondable_label(event: Event) -> str:
    """How an event is offered as something to respond to: its date, its status and its title."""
    return f"{event.date_display} · {event.get_status_display()} · {event.title}"


class RespondableEventsView(AutocompleteJsonView):
    """The `responds_to` suggestions: date, status and title, leaving out what the reacting event
    cannot be linked to (itself, later events, and, for a public event, events readers cannot see).
    The reacting event comes as `event` (its id, on a change form) and `before` (the date the form
    holds now, sent by static/admin/events/responds_to.js); Reaction.clean() checks it all again."""

    def get_queryset(self) -> QuerySet[Event]:
        events = super().get_queryset()
        reacting = None
        if self.request.GET.get("event", "").isdigit():
            reacting = Event.objects.filter(pk=self.request.GET["event"]).only("pk", "date", "status").first()
        if reacting is not None:
            events = events.exclude(pk=reacting.pk)
            if reacting.is_public:
                events = events.filter(status__in=PUBLIC_STATUSES)
        try:
            before = datetime.date.fromisoformat(self.request.GET.get("before", "")[:10])
        except ValueError:
            before = reacting.date if reacting is not None else None
        return events.filter(date__lte=before) if before else events

    def serialize_result(self, obj: Event, to_field_name: str) -> dict[str, str]:
        # The date, for the reaction's lag shown as the editor types (static/admin/events/reaction_lag.js).
        return {"id": str(getattr(obj, to_field_name)), "text": respondable_label(obj), "date": obj.date.isoformat()}


class RespondsToSelect(AutocompleteSelect):
    """The autocomplete widget pointed at RespondableEventsView, told which event is reacting."""

    def __init__(self, *args: Any, event_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event_id = event_id

    def get_url(self) -> str:
        url = reverse("admin:events_event_respondable")
        return f"{url}?event={self.event_id}" if self.event_id else url

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        """The chosen event's date on its option too, as the suggestions carry it (serialize_result)."""
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        # Only the chosen events are rendered (AutocompleteSelect), one per reaction row.
        date = Event.objects.filter(pk=value).values_list("date", flat=True).first() if value else None
        if date is not None:
            option["attrs"]["data-date"] = date.isoformat()
        return option


def responds_to_field(db_field, request: HttpRequest, admin_site, **kwargs: Any) -> forms.Field:
    object_id = (request.resolver_match.kwargs.get("object_id") if request.resolver_match else None) or ""
    event_id = object_id if object_id.isdigit() and db_field.model is Reaction else None
    kwargs["widget"] = RespondsToSelect(db_field, admin_site, event_id=event_id)
    field = db_field.formfield(**kwargs)
    field.label_from_instance = respondable_label
    return field
