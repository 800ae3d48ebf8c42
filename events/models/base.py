"""What every model of the record shares: the escalation scale, accepted dates, timestamps, edit conflicts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from events.text import RefusesControlCharacters

if TYPE_CHECKING:
    from events.models.event import Event

ESCALATION_MIN = Decimal("-10")
ESCALATION_MAX = Decimal("10")
# A source link is only ever a web page: never javascript:, data: or file: (validator and constraint).
WEB_URL_SCHEMES = ("http", "https")


def accepted_dates() -> tuple[datetime.date, datetime.date]:
    """The first and last date an event may carry (settings EVENT_EARLIEST_DATE, EVENT_LATEST_DATE):
    a date outside them is a typo (0224 for 2024), and would stretch every timeline for nothing."""
    return (
        datetime.date.fromisoformat(settings.EVENT_EARLIEST_DATE),
        datetime.date.fromisoformat(settings.EVENT_LATEST_DATE),
    )


class EditConflict(Exception):
    """Someone else saved this event after it was loaded: refusing to overwrite their change.

    Raised before anything is written, from the save's own atomic block (a savepoint inside the
    caller's transaction), so a caller that catches it may go on.
    """

    def __init__(self, event: Event, expected_version: int) -> None:
        super().__init__(f"Event {event.pk} changed since version {expected_version} was loaded.")
        self.event = event
        self.expected_version = expected_version


class Stamped(RefusesControlCharacters, models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
