"""Candidates (what a dataset said, and what we made of it) and the mappings from datasets' codes to ours.

A candidate is never an event: readers see none, in any output. An editor accepts a group of candidates
(a draft event is made from them), merges it into an existing event (its sources added), or dismisses it
with a reason. An accepted or merged candidate keeps the event it went into: the provenance of that event.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from events.models import Actor, Country, Event, EventType
from events.models.base import Stamped
from events.models.event import LATITUDE_LIMIT, LONGITUDE_LIMIT, coordinate_field


class Dataset(models.TextChoices):
    GDELT = "gdelt", "GDELT 2.0"
    ACLED = "acled", "ACLED"


class Candidate(Stamped):
    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        MERGED = "merged", "Merged"
        DISMISSED = "dismissed", "Dismissed"

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week"  # ACLED's time_precision 2
        MONTH = "month", "Month"  # ACLED's time_precision 3

    # What the dataset said.
    dataset = models.CharField(max_length=5, choices=Dataset.choices)
    dataset_id = models.CharField("id in the dataset", max_length=40)
    date = models.DateField()
    date_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    actor1_code = models.CharField(max_length=40, blank=True)  # CAMEO code (GDELT); empty for ACLED
    actor1_name = models.CharField(max_length=300, blank=True)
    actor2_code = models.CharField(max_length=40, blank=True)
    actor2_name = models.CharField(max_length=300, blank=True)
    event_code = models.CharField(
        max_length=200, help_text="GDELT: the CAMEO event code. ACLED: event type / sub-event type."
    )
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=300, blank=True)
    latitude = coordinate_field("Latitude", LATITUDE_LIMIT)
    longitude = coordinate_field("Longitude", LONGITUDE_LIMIT)
    # A web address (http or https) or empty: the readers of inbox.datasets keep nothing else here.
    source_url = models.CharField("source URL", max_length=1000, blank=True)
    source_text = models.TextField(blank=True, help_text="ACLED: the sources it names (no URL).")
    notes = models.TextField(blank=True)
    raw = models.JSONField(help_text="The row as the file had it, column by column.")
    # ACLED's `timestamp`: a row changed upstream comes back with a later one and updates a new candidate.
    upstream_timestamp = models.BigIntegerField(null=True, blank=True)

    # What we made of it (inbox.mapping), at ingest.
    proposed_type = models.ForeignKey(EventType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    initiator = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalation = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    # Same day, same actors, same CAMEO root: candidates with one key are reports of one event (inbox.grouping).
    group_key = models.CharField(max_length=200, db_index=True)

    # What an editor decided.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    dismiss_reason = models.TextField(blank=True)
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        help_text="The event it was accepted as or merged into.",
    )

    class Meta:
        ordering = ["-date", "dataset", "dataset_id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "dataset_id"], name="candidate_unique_dataset_id"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""), name="candidate_dismissal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "merged"]) | Q(event__isnull=False),
                name="candidate_decision_has_event",
            ),
        ]
        indexes = [models.Index(fields=["status", "date"], name="candidate_status_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()} {self.dataset_id}"

    def clean(self) -> None:
        if self.status == self.Status.DISMISSED and not self.dismiss_reason.strip():
            raise ValidationError({"dismiss_reason": "Say why the candidate is dismissed."})


class AcledTypeMapping(Stamped):
    """An ACLED event type (and sub-event type, or any) proposed as one of our event types."""

    acled_event_type = models.CharField("ACLED event type", max_length=100)
    acled_sub_event_type = models.CharField(
        "ACLED sub-event type", max_length=100, blank=True, help_text="Empty: any sub-event type of the event type."
    )
    event_type = models.ForeignKey(EventType, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["acled_event_type", "acled_sub_event_type"]
        verbose_name = "ACLED type mapping"
        constraints = [
            models.UniqueConstraint(
                fields=["acled_event_type", "acled_sub_event_type"], name="acledtypemapping_unique_types"
            ),
        ]

    def __str__(self) -> str:
        sub = self.acled_sub_event_type or "any"
        return f"{self.acled_event_type} / {sub} → {self.event_type}"


class ActorCode(Stamped):
    """A dataset's name for one of our actors: a CAMEO actor code (GDELT) or an ACLED actor name.

    A CAMEO code is matched whole, then by its first three letters (its country: RUSMIL is RUS)."""

    dataset = models.CharField(max_length=5, choices=Dataset.choices)
    code = models.CharField(max_length=300, help_text="A CAMEO actor code (RUS, RUSMIL) or an ACLED actor name.")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="dataset_codes")

    class Meta:
        ordering = ["dataset", "code"]
        constraints = [models.UniqueConstraint(fields=["dataset", "code"], name="actorcode_unique_code")]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()} {self.code} → {self.actor}"
