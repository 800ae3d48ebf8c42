"""The review workflow, declared once: the statuses, the moves between them, who may make each move and
what each requires.

The services make every move through this table (events.services), the admin offers a form button
and a list action where it says a move is possible (editorial.admin.event), and the model's
constraints read its sets of statuses (events.models.event), so none of them keeps a rule of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from events.roles import PUBLISH_PERMISSION, ROLES

if TYPE_CHECKING:
    from events.models.event import Event

User = AbstractBaseUser | AnonymousUser

CHANGE_PERMISSION = "events.change_event"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


# What readers may see: published events, and retracted ones, which stay on the record, marked.
PUBLIC_STATUSES = (Status.PUBLISHED, Status.RETRACTED)
# What readers have not seen yet: only these may lack a publication date (a database constraint).
UNPUBLISHED_STATUSES = tuple(status for status in Status if status not in PUBLIC_STATUSES)

# How a refusal names the status an event is in: "… this event is a draft."
STATUS_PHRASES = {
    Status.DRAFT: "a draft",
    Status.IN_REVIEW: "in review",
    Status.PUBLISHED: "published",
    Status.RETRACTED: "retracted",
}

RETRACTION_NEEDS_NOTE = "A retraction needs a public note saying why."

# What a move requires of the event (and of the note that comes with it): the problems, in words an
# editor can act on; none means the move may be made.
Requirement = Callable[["Event", str], list[str]]


def nothing_required(event: Event, note: str) -> list[str]:
    return []


def link_basis_problems(event: Event) -> list[str]:
    """A reaction link is a claim: an event is published only once each of its links says its basis."""
    unbacked = "; ".join(f"“{link.responds_to.title}”" for link in event.links_without_basis())
    if not unbacked:
        return []
    return [
        "Each reaction link needs its basis: a source that makes the connection, or the editor's judgement "
        f"with a reason. None is given for the link to {unbacked}."
    ]


def record_problems(event: Event) -> list[str]:
    return event.publish_problems()


def duplicate_problems(event: Event) -> list[str]:
    # Imported here: the duplicate rule reads the models, which read this table.
    from events import duplicates

    return duplicates.publish_problems(event=event)


@dataclass(frozen=True)
class Check:
    """One item of what publishing requires, as the publisher's review lists it."""

    label: str
    problems: Callable[[Event], list[str]]


# What publishing requires, item by item: the move checks them all (ready_to_publish), the publisher's
# review shows each as a checklist line with its problems.
PUBLISH_CHECKS = (
    Check("An initiator and a source (an independent one if confirmed), responding to public events", record_problems),
    Check("Each reaction link says its basis", link_basis_problems),
    Check("No likely duplicate left unexplained", duplicate_problems),
)


def ready_to_publish(event: Event, note: str) -> list[str]:
    """Every item of PUBLISH_CHECKS: an initiator and a source (an independent one if confirmed), a
    basis for each reaction link, and no likely duplicate that an editor has not said it is not."""
    return [problem for check in PUBLISH_CHECKS for problem in check.problems(event)]


def a_public_note(event: Event, note: str) -> list[str]:
    return [] if note.strip() else [RETRACTION_NEEDS_NOTE]


@dataclass(frozen=True)
class Transition:
    name: str  # the admin's list action and form button are named after it
    sources: tuple[Status, ...]  # the statuses it starts from
    target: Status
    permission: str
    requires: Requirement
    only: str  # the refusal from any other status, e.g. "Only a draft can be sent to review"
    doing: str  # what a user without the permission may not do, e.g. "send events to review"
    done: str  # the admin's messages ("“…” sent to review") and the revision history's reason

    def starts_from(self, status: str) -> bool:
        return status in self.sources

    def permits(self, user: User) -> bool:
        return user.has_perm(self.permission)

    def available(self, *, status: str, user: User) -> bool:
        """Whether the admin offers the move: the table allows it from this status, and to this user."""
        return self.starts_from(status) and self.permits(user)

    def refusal(self, status: str) -> str:
        return f"{self.only}; this event is {STATUS_PHRASES[Status(status)]}."

    @property
    def reason(self) -> str:
        """What the revision history says of the save, e.g. "Sent to review"."""
        return self.done.capitalize()

    def forbidden(self) -> str:
        role = next(name for name, permissions in ROLES.items() if self.permission in permissions)
        return f"You may not {self.doing}: that needs the {role} role."


SEND_TO_REVIEW = Transition(
    name="send_to_review", sources=(Status.DRAFT,), target=Status.IN_REVIEW,
    permission=CHANGE_PERMISSION, requires=nothing_required,
    only="Only a draft can be sent to review",
    doing="send events to review", done="sent to review",
)
# A reviewer sends an event back to its editor.
SEND_BACK_TO_DRAFT = Transition(
    name="send_back_to_draft", sources=(Status.IN_REVIEW,), target=Status.DRAFT,
    permission=PUBLISH_PERMISSION, requires=nothing_required,
    only="Only an event in review can go back to draft",
    doing="send events back to draft", done="sent back to draft",
)
# Straight from a draft too (a publisher's own entry needs no second reviewer), and again after a
# retraction, which a new source may undo.
PUBLISH = Transition(
    name="publish", sources=(Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED), target=Status.PUBLISHED,
    permission=PUBLISH_PERMISSION, requires=ready_to_publish,
    only="Only a draft, an event in review or a retracted event can be published",
    doing="publish events", done="published",
)
# Of a published event only: a draft can simply be edited, and a retraction is not retracted twice.
RETRACT = Transition(
    name="retract", sources=(Status.PUBLISHED,), target=Status.RETRACTED,
    permission=PUBLISH_PERMISSION, requires=a_public_note,
    only="Only a published event can be retracted",
    doing="retract events", done="retracted",
)

TRANSITIONS: dict[str, Transition] = {t.name: t for t in (SEND_TO_REVIEW, SEND_BACK_TO_DRAFT, PUBLISH, RETRACT)}
