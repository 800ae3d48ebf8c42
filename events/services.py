"""Writes with rules: moving an event through review to publication, and retracting it.

Each function takes an optional `user`: when given, the rule "only a publisher publishes" is checked
here, on the server, whatever the caller (admin action, form button, a direct POST). Every write goes
through Event.save(), so it is versioned (optimistic locking) and lands in the revision history with
the user and a reason.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from events.models import Event
from events.roles import PUBLISH_PERMISSION

User = AbstractBaseUser | AnonymousUser


def can_publish(user: User | None) -> bool:
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


def _require(user: User | None, permission: str, doing: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(f"You may not {doing}: that needs the Publisher role.")


def _record(event: Event, *, user: User | None, reason: str) -> None:
    """What the revision history says about the next save."""
    event._change_reason = reason
    if user is not None and user.is_authenticated:
        event._history_user = user


@transaction.atomic
def submit_for_review(*, event: Event, user: User | None = None) -> Event:
    _require(user, "events.change_event", "send events to review")
    if event.status != Event.Status.DRAFT:
        raise ValidationError(
            f"Only a draft can be sent to review; this event is {event.get_status_display().lower()}."
        )
    event.status = Event.Status.IN_REVIEW
    _record(event, user=user, reason="Sent to review")
    event.save(update_fields=["status", "updated_at"])
    return event


@transaction.atomic
def return_to_draft(*, event: Event, user: User | None = None) -> Event:
    """A reviewer sends an event back to its editor; only events in review go back."""
    _require(user, PUBLISH_PERMISSION, "send events back to draft")
    if event.status != Event.Status.IN_REVIEW:
        raise ValidationError("Only an event in review can go back to draft.")
    event.status = Event.Status.DRAFT
    _record(event, user=user, reason="Sent back to draft")
    event.save(update_fields=["status", "updated_at"])
    return event


@transaction.atomic
def publish_event(*, event: Event, user: User | None = None) -> Event:
    """Publish, provided the event has an initiator and a source (and an independent one if confirmed),
    and each of its reaction links says its basis."""
    _require(user, PUBLISH_PERMISSION, "publish events")
    if event.status == Event.Status.PUBLISHED:
        return event
    problems = event.publish_problems() + link_basis_problems(event)
    if problems:
        raise ValidationError(problems)
    event.status = Event.Status.PUBLISHED
    event.published_at = event.published_at or timezone.now()
    event.retraction_note = ""
    _record(event, user=user, reason="Published")
    event.save(update_fields=["status", "published_at", "retraction_note", "updated_at"])
    return event


def link_basis_problems(event: Event) -> list[str]:
    """A reaction link is a claim: an event is published only once each of its links says its basis."""
    unbacked = "; ".join(f"“{link.responds_to.title}”" for link in event.links_without_basis())
    if not unbacked:
        return []
    return [
        "Each reaction link needs its basis: a source that makes the connection, or the editor's judgement "
        f"with a reason. None is given for the link to {unbacked}."
    ]


@transaction.atomic
def retract_event(*, event: Event, note: str, user: User | None = None) -> Event:
    """Retract a public event: it stays on the record, marked, with a public note saying why."""
    _require(user, PUBLISH_PERMISSION, "retract events")
    note = (note or "").strip()
    if not note:
        raise ValidationError("A retraction needs a public note saying why.")
    if not event.is_public:
        raise ValidationError("Only a published event can be retracted; a draft can simply be edited.")
    event.status = Event.Status.RETRACTED
    event.retraction_note = note
    _record(event, user=user, reason="Retracted")
    event.save(update_fields=["status", "retraction_note", "updated_at"])
    return event
