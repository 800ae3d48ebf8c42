"""Writes with rules: moving an event through review to publication, and retracting it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Event


@transaction.atomic
def submit_for_review(*, event: Event) -> Event:
    if event.status != Event.Status.DRAFT:
        raise ValidationError(
            f"Only a draft can be sent to review; this event is {event.get_status_display().lower()}."
        )
    event.status = Event.Status.IN_REVIEW
    event.save(update_fields=["status", "updated_at"])
    return event


@transaction.atomic
def publish_event(*, event: Event) -> Event:
    """Publish, provided the event has an initiator and a source (and an independent one if confirmed)."""
    if event.status == Event.Status.PUBLISHED:
        return event
    problems = event.publish_problems()
    if problems:
        raise ValidationError(problems)
    event.status = Event.Status.PUBLISHED
    event.published_at = event.published_at or timezone.now()
    event.retraction_note = ""
    event.save(update_fields=["status", "published_at", "retraction_note", "updated_at"])
    return event


@transaction.atomic
def retract_event(*, event: Event, note: str) -> Event:
    """Retract a public event: it stays on the record, marked, with a public note saying why."""
    note = (note or "").strip()
    if not note:
        raise ValidationError("A retraction needs a public note saying why.")
    if not event.is_public:
        raise ValidationError("Only a published event can be retracted; a draft can simply be edited.")
    event.status = Event.Status.RETRACTED
    event.retraction_note = note
    event.save(update_fields=["status", "retraction_note", "updated_at"])
    return event
