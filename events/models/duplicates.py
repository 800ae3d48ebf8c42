"""Pairs of events judged distinct: the likely-duplicate rule (events.duplicates) matches them, and an
editor said why they are two events, not one entered twice."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from events.models.base import Stamped
from events.models.event import Event


class NotDuplicate(Stamped):
    # A pair, not a flag on one event: a reason given against one likely duplicate says nothing of an
    # event entered later that looks like either of them.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="not_duplicate_marks")
    other = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(help_text="Why the two are distinct events: editors read it, readers do not.")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "not a duplicate"
        verbose_name_plural = "not duplicates"
        constraints = [
            models.UniqueConstraint(fields=["event", "other"], name="notduplicate_unique_pair"),
            models.CheckConstraint(condition=~Q(event=F("other")), name="notduplicate_not_itself"),
            models.CheckConstraint(condition=~Q(reason=""), name="notduplicate_has_reason"),
        ]

    def __str__(self) -> str:
        return f"“{self.event.title}” is not a duplicate of “{self.other.title}”"

    def clean(self) -> None:
        if not self.reason.strip():
            raise ValidationError({"reason": "Say why the two are distinct events."})
