"""Writes with rules: moving an event through review to publication, and retracting it.

Every move goes through the workflow table (events.models.workflow): the statuses it starts from, the
permission it needs and what it requires are read there, never restated here. Each function takes an
optional `user`: when given, the move's permission is checked here, on the server, whatever the caller
(admin action, form button, a direct POST); without one (a management command, a test) only the
permission check is skipped. Every write goes through Event.save(), so it is versioned (optimistic
locking) and lands in the revision history with the user and a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from events.models import Event
from events.models.workflow import PUBLISH, RETRACT, SEND_BACK_TO_DRAFT, SEND_TO_REVIEW, Transition, User
from events.roles import PUBLISH_PERMISSION


def can_publish(user: User | None) -> bool:
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


def _move(transition: Transition, *, event: Event, user: User | None, note: str = "", **changes: Any) -> Event:
    """Make a move of the table: its permission, the status it starts from and what it requires are
    checked first, in that order; then the status and the move's own `changes` are saved."""
    if user is not None and not transition.permits(user):
        raise PermissionDenied(transition.forbidden())
    if not transition.starts_from(event.status):
        raise ValidationError(transition.refusal(event.status))
    problems = transition.requires(event, note)
    if problems:
        raise ValidationError(problems)
    event.status = transition.target
    for field, value in changes.items():
        setattr(event, field, value)
    # What the revision history says about this save.
    event._change_reason = transition.reason
    if user is not None and user.is_authenticated:
        event._history_user = user
    event.save(update_fields=["status", *changes, "updated_at"])
    return event


@transaction.atomic
def submit_for_review(*, event: Event, user: User | None = None) -> Event:
    return _move(SEND_TO_REVIEW, event=event, user=user)


@transaction.atomic
def return_to_draft(*, event: Event, user: User | None = None) -> Event:
    """A reviewer sends an event back to its editor."""
    return _move(SEND_BACK_TO_DRAFT, event=event, user=user)


@transaction.atomic
def publish_event(*, event: Event, user: User | None = None) -> Event:
    """Publish, provided the event has an initiator and a source (and an independent one if confirmed),
    and each of its reaction links says its basis. A republished retraction drops its note."""
    published_at = event.published_at or timezone.now()
    return _move(PUBLISH, event=event, user=user, published_at=published_at, retraction_note="")


@transaction.atomic
def retract_event(*, event: Event, note: str, user: User | None = None) -> Event:
    """Retract a published event: it stays on the record, marked, with a public note saying why."""
    note = (note or "").strip()
    return _move(RETRACT, event=event, user=user, note=note, retraction_note=note)


# The service of each move, for the callers that pick the move from the table (the admin's buttons and
# list actions); each takes the event and the user, and the retraction its note.
SERVICES: dict[str, Callable[..., Event]] = {
    SEND_TO_REVIEW.name: submit_for_review,
    SEND_BACK_TO_DRAFT.name: return_to_draft,
    PUBLISH.name: publish_event,
    RETRACT.name: retract_event,
}
