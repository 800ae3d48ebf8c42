"""What the database keeps for readers' speed, kept by triggers (events/db/): per-day totals, the data
version, the export's lists joined ahead, and each event's latest change."""

from __future__ import annotations

from django.db import models

from events.db import data_version
from events.models.event import Event
from events.models.vocabulary import EventType, Region

# Escalation is stored with one decimal; totals keep it in tenths as an integer, exact on every database.
ESCALATION_DECIMALS = 1
ESCALATION_TENTHS = 10**ESCALATION_DECIMALS
NO_COUNTRY = 0  # the country key of an event without a country (a key, not NULL, so it can be unique)


class DayTotals(models.Model):
    """How many public events and their escalation summed, per day, event type, status and verification
    (and more keys in subclasses): the status and verification say which rows the tension index's
    weighting rule counts (events/tension.py). Kept by database triggers on events_event
    (events/db/totals.py, in Event.Meta.triggers) in the transaction of every write to it, whatever makes
    it: services, the admin, the CSV import's bulk writes, QuerySet.update(), raw SQL.
    `manage.py rebuild_daily_totals` recomputes them from the events. Read by events/summary.py when a
    filter allows; never written by Python code otherwise."""

    day = models.DateField()
    event_type = models.ForeignKey(EventType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    status = models.CharField(max_length=10, choices=Event.Status.choices)
    verification = models.CharField(max_length=10, choices=Event.Verification.choices)
    events = models.IntegerField()
    escalation_tenths = models.BigIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} · {self.events} events"


class DailyTotal(DayTotals):
    """Per day, type, country, status and verification: for views filtered by country or region."""

    country_key = models.BigIntegerField(help_text="The event's country id, or 0 for none.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "event_type", "country_key", "status", "verification"], name="dailytotal_key"
            ),
        ]


class DailyTypeTotal(DayTotals):
    """Per day, type, status and verification, all places together: a few rows a day for views not filtered by place."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "event_type", "status", "verification"], name="dailytypetotal_key")
        ]


class DataVersion(models.Model):
    """One row: a counter that every write to what readers see increments, and when (database triggers:
    events/db/data_version.py, in the Meta.triggers of each model readers see). Cached pages, ETags and
    Last-Modified are keyed on it."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"data version {self.version}"


class RegionCountries(Region.countries.through):
    """The links of regions to their countries (Django's own table for Region.countries), as a proxy: the
    model a trigger on that table is declared on."""

    class Meta:
        proxy = True
        triggers = [data_version.BUMP]


class ExportLists(models.Model):
    """An event's list fields as the CSV export joins them (one column per list field of the record,
    events/record.py), kept ahead for PostgreSQL's COPY path by the triggers of events/db/export_lists.py.
    No foreign key: the triggers keep the rows, and delete an event's with it. Empty on SQLite."""

    event = models.OneToOneField(
        Event, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    initiators = models.TextField(null=True)
    targets = models.TextField(null=True)
    responds_to = models.TextField(null=True)
    source_urls = models.TextField(null=True)

    def __str__(self) -> str:
        return f"lists of event {self.event_id}"


class LatestChange(models.Model):
    """When something in an event's representation last changed: the change feed's index (api/changes.py),
    read in (changed_at, event id) order. Kept by the triggers of events/db/latest_change.py, in the
    transaction of every write that changes an event. No foreign key: a deleted event keeps its row, the
    feed's news that it was removed."""

    event_id = models.BigIntegerField(primary_key=True)
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["changed_at", "event_id"], name="latestchange_position")]

    def __str__(self) -> str:
        return f"event {self.event_id} changed at {self.changed_at}"
