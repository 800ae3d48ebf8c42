"""The per-day totals (DailyTotal): read in place of the events when the filter allows, and rebuilt.

A day's totals are kept per event type, country, public status and verification by database triggers
(events/db/totals.py), so a view filtered only by those (period, type, category, country, region,
verification, retracted or not)
is answered from at most one row per day, type and country, not from every event: a million events
cost what a few thousand rows do; the status and verification are what the index's weighting rule
(events/tension.py) reads, so the totals weigh the events as the per-event path does. Any other filter
(actor, text, escalation, reactions)
needs the events themselves: summary_for() then returns None and the callers use the exact per-event
path. tests/test_daily_totals.py proves that both give the same figures.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DateField, F, QuerySet, Sum
from django.db.models.functions import Cast, Coalesce

from events.filters import EventFilter
from events.models import (
    ESCALATION_DECIMALS,
    ESCALATION_TENTHS,
    NO_COUNTRY,
    PUBLIC_STATUSES,
    DailyTotal,
    DailyTypeTotal,
    DayTotals,
    Event,
)
from events.tension import DailyTotals, IndexPoint, Weighting, tension_index, weighted_sum

# The filters the totals can answer; `sort`, `include_retracted` and `include_disputed` only order,
# widen the statuses or weigh.
SUMMARY_FILTERS = frozenset(
    {
        "date_from",
        "date_to",
        "region",
        "country",
        "type",
        "category",
        "verification",
        "include_retracted",
        "include_disputed",
        "sort",
    }
)


@dataclass(frozen=True)
class PeriodTotal:
    period: datetime.date
    category: str
    events: int
    escalation: Decimal


@dataclass
class Summary:
    """The filtered totals, plus the events the totals cannot place: those that start before the
    period's first day but last into it (the filter keeps them; their own day is outside the range)."""

    totals: QuerySet  # of DailyTotal or DailyTypeTotal
    spanning: QuerySet  # of Event
    weighting: Weighting

    def daily_totals(self) -> DailyTotals:
        """Per day, the events shown counted and the weights of those the rule counts summed."""
        by_day = self.totals.values("day").annotate(
            n=Sum("events"), t=weighted_sum(self.weighting, "escalation_tenths")
        )
        rows = plain_rows(by_day.values_list("day", "n", "t"))
        # One row a day (grouped by day): plain dicts, no summing, and dates parsed only where needed.
        if rows and isinstance(rows[0][0], str):
            rows = [(_as_date(day), n, tenths) for day, n, tenths in rows]
        sums = {day: from_tenths(tenths or 0) for day, _, tenths in rows}
        counts = {day: n for day, n, _ in rows}
        spanning = self.spanning.values("date").annotate(n=Count("id"), t=weighted_sum(self.weighting))
        for day, n, total in spanning.values_list("date", "n", "t"):
            sums[day] = sums.get(day, Decimal(0)) + on_scale(total or 0)
            counts[day] = counts.get(day, 0) + n
        return DailyTotals(sums, counts)

    def period_totals(self, trunc) -> list[PeriodTotal]:
        """Per period (`trunc` is TruncWeek, TruncMonth…) and category: events and escalation summed."""
        found: dict[tuple[datetime.date, str], list] = defaultdict(lambda: [0, Decimal(0)])
        rows = (
            self.totals.annotate(period=period_start(trunc, "day"), category=F("event_type__category"))
            .values("period", "category")
            .annotate(n=Sum("events"), t=Sum("escalation_tenths"))
            .values_list("period", "category", "n", "t")
        )
        for period, category, n, tenths in plain_rows(rows):
            entry = found[(_as_date(period), category)]
            entry[0] += n
            entry[1] += from_tenths(tenths)
        for period, category, n, total in event_period_totals(self.spanning, trunc):
            entry = found[(period, category)]
            entry[0] += n
            entry[1] += total
        return [PeriodTotal(period, category, n, total) for (period, category), (n, total) in sorted(found.items())]


def event_period_totals(events: QuerySet, trunc) -> list[tuple[datetime.date, str, int, Decimal]]:
    """The exact per-event path: per period and category, the events counted and summed."""
    rows = (
        events.order_by()
        .annotate(period=period_start(trunc, "date"))
        .values("period", "event_type__category")
        .annotate(n=Count("id"), t=Sum("escalation"))
        .values_list("period", "event_type__category", "n", "t")
    )
    return [(_as_date(period), category, n, on_scale(total)) for period, category, n, total in rows]


def period_start(trunc, field: str) -> Cast:
    """The first day of the field's period, as a date: PostgreSQL's DATE_TRUNC gives a timestamp with
    time zone, which the driver parses several times slower than a date (thousands of rows a page)."""
    return Cast(trunc(field), DateField())


def from_tenths(tenths: int) -> Decimal:
    """A stored total back on the escalation scale, with its one decimal (720 → 72.0, as SUM gives it)."""
    return Decimal(tenths).scaleb(-ESCALATION_DECIMALS)


def on_scale(value: Decimal | float) -> Decimal:
    """A sum of escalations with the scale's one decimal (SQLite's SUM may give 7.20000000000000)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-ESCALATION_DECIMALS))


def plain_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list() as the database driver gives them, without Django's per-value
    converters: one row a day over decades is thousands of rows, and the converters cost more than the
    query. Dates may come back as ISO strings (SQLite): see _as_date."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value: datetime.date | datetime.datetime | str) -> datetime.date:
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime.datetime) else value


def summary_for(filterset: EventFilter) -> Summary | None:
    """The totals of this filtered view, or None when a filter needs the events themselves."""
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    if any(_given(value) for name, value in data.items() if name not in SUMMARY_FILTERS):
        return None
    statuses = PUBLIC_STATUSES if data.get("include_retracted") else (Event.Status.PUBLISHED,)
    # Filtered by place: the totals by country; otherwise those of all places together (fewer rows).
    level = DailyTotal if data.get("country") or data.get("region") else DailyTypeTotal
    totals = level.objects.filter(status__in=statuses)
    if data.get("type"):
        totals = totals.filter(event_type__in=list(data["type"]))
    if data.get("category"):
        totals = totals.filter(event_type__category=data["category"])
    if data.get("verification"):
        totals = totals.filter(verification=data["verification"])
    if data.get("country"):
        totals = totals.filter(country_key=data["country"].pk)
    if data.get("region"):
        totals = totals.filter(country_key__in=data["region"].countries.values("pk"))
    start, end = data.get("date_from"), data.get("date_to")
    if end:
        totals = totals.filter(day__lte=end)
    spanning = filterset.qs.none()
    if start:
        totals = totals.filter(day__gte=start)
        # The filter keeps an event that began before the period and lasts into it. Its end date is
        # implied by the filter, and said again so that the end-date index finds these few events.
        spanning = filterset.qs.filter(date__lt=start, end_date__gte=start)
    return Summary(totals=totals, spanning=spanning, weighting=filterset.weighting())


def _given(value) -> bool:
    """Whether a cleaned filter value narrows the view (an escalation of 0 does; an empty list does not)."""
    if isinstance(value, QuerySet):
        return not value.query.is_empty()
    return not (value is None or value is False or value == "" or value == [])


# Each level of totals and the keys beyond day, type, status and verification it is kept by.
LEVELS: dict[type[DayTotals], tuple[str, ...]] = {DailyTotal: ("country_key",), DailyTypeTotal: ()}


def expected_totals(level: type[DayTotals]) -> QuerySet:
    """A level's totals as they should be, computed from the events (what rebuild writes, check compares):
    rows of (day, type, status, verification, *keys, events, escalation)."""
    keys = LEVELS[level]
    events = Event.objects.filter(status__in=PUBLIC_STATUSES).order_by()
    if "country_key" in keys:
        events = events.annotate(country_key=Coalesce("location_country_id", NO_COUNTRY))
    return (
        events.values("date", "event_type_id", "status", "verification", *keys)
        .annotate(n=Count("id"), total=Sum("escalation"))
        .values_list("date", "event_type_id", "status", "verification", *keys, "n", "total")
    )


def mismatches() -> list[str]:
    """Where the stored totals differ from the events: empty when the triggers kept them right."""
    problems = []
    for level, keys in LEVELS.items():
        expected = {tuple(row[:-2]): (row[-2], int(row[-1] * ESCALATION_TENTHS)) for row in expected_totals(level)}
        stored = {
            tuple(row[:-2]): tuple(row[-2:])
            for row in level.objects.values_list(
                "day", "event_type_id", "status", "verification", *keys, "events", "escalation_tenths"
            )
        }
        problems += [
            f"{level.__name__} {key}: stored {stored.get(key)}, events give {expected.get(key)}"
            for key in sorted(set(expected) | set(stored), key=str)
            if expected.get(key) != stored.get(key)
        ]
    return problems


@transaction.atomic
def rebuild() -> int:
    """Recompute every total from the events, in one transaction; returns the number of rows written.

    On PostgreSQL the events are locked against writes meanwhile (reads go on), so no write slips
    between the delete and the insert."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Event._meta.db_table} IN SHARE MODE")
    written = 0
    for level, keys in LEVELS.items():
        level.objects.all().delete()
        level.objects.bulk_create(
            (
                level(
                    day=row[0],
                    event_type_id=row[1],
                    status=row[2],
                    verification=row[3],
                    **dict(zip(keys, row[4:-2], strict=True)),
                    events=row[-2],
                    escalation_tenths=int(row[-1] * ESCALATION_TENTHS),
                )
                for row in expected_totals(level).iterator()
            ),
            batch_size=2000,
        )
        written += level.objects.count()
    return written


def view_index(filterset: EventFilter) -> list[IndexPoint]:
    """The tension index of a filtered view, weighed by the view's rule: from the per-day totals when the
    filter allows, from the events otherwise. Every output of the index (the API, the CSV) reads it
    here; the page and the embed draw it through the chart, which takes the same two paths."""
    summary = summary_for(filterset)
    totals = summary.daily_totals() if summary else DailyTotals.of(filterset.qs, filterset.weighting())
    return tension_index(totals=totals)
