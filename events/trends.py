"""The monthly trend: did tension deteriorate, improve or stay unchanged this month, CrisisWatch-style.

The rule (also on /about/#trend and in docs/readers.md): a month's tension is the sum of the weights of
its events (the index's weighting rule, events/tension.py: what the index adds up over a month). The trend
of month M compares it with the month before: the change Δ = tension(M) − tension(M − 1) is
*deteriorated* (↑) when Δ > T, *improved* (↓) when Δ < −T, *unchanged* (→) otherwise. The threshold T is
relative to the series' own variability: half the standard deviation of its month-to-month changes from
its first month to M (empty months count as 0), and never below one escalation point, so that a quiet
series does not flip on a single minor event, and a volatile one needs a move larger than its usual swing.

The same rule serves the whole record, a region, a country and a pair of actors: each is judged against
its own history. The latest month is that of the record's latest event, so the answer is a fact of the
record (and of its cache), not of today's date.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.db.models import F, Max, QuerySet
from django.db.models.functions import Greatest, Least, TruncMonth

from events.models import Actor, Country, Event, EventActor, Region
from events.summary import on_scale, period_start
from events.tension import Weighting, weight, weighted_sum

# The threshold is this share of the standard deviation of the month-to-month changes…
TREND_SENSITIVITY = Decimal("0.5")
# …and never below this (one escalation point): a flat series needs a real change to move.
TREND_FLOOR = Decimal("1.0")


class Trend(models.TextChoices):
    DETERIORATED = "deteriorated", "Deteriorated"
    IMPROVED = "improved", "Improved"
    UNCHANGED = "unchanged", "Unchanged"


ARROWS = {Trend.DETERIORATED: "↑", Trend.IMPROVED: "↓", Trend.UNCHANGED: "→"}


@dataclass(frozen=True)
class MonthTrend:
    month: datetime.date  # its first day
    tension: Decimal  # the month's weights summed
    previous: Decimal  # the month before's
    threshold: Decimal
    trend: Trend

    @property
    def previous_month(self) -> datetime.date:
        return previous_month(self.month)

    @property
    def change(self) -> Decimal:
        return self.tension - self.previous

    @property
    def arrow(self) -> str:
        return ARROWS[self.trend]

    @property
    def word(self) -> str:
        return self.trend.label


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def by_month(daily: Mapping[datetime.date, Decimal]) -> dict[datetime.date, Decimal]:
    """Per-day weights summed per month (the months with events only)."""
    months: dict[datetime.date, Decimal] = {}
    for day, value in daily.items():
        months[month_of(day)] = months.get(month_of(day), Decimal(0)) + value
    return months


def months_between(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    month = month_of(first)
    while month <= last:
        yield month
        month = next_month(month)


def month_trend(monthly: Mapping[datetime.date, Decimal], month: datetime.date) -> MonthTrend:
    """The trend of `month` by the rule above, over a series of monthly tensions (missing months are 0)."""
    month = month_of(month)
    first = min(monthly, default=month)
    series = [monthly.get(m, Decimal(0)) for m in months_between(min(first, month), month)]
    changes = [b - a for a, b in zip(series, series[1:], strict=False)]
    spread = Decimal(statistics.pstdev(changes)) if len(changes) > 1 else Decimal(0)
    threshold = max(TREND_FLOOR, (TREND_SENSITIVITY * spread).quantize(Decimal("0.1")))
    tension, previous = monthly.get(month, Decimal(0)), monthly.get(previous_month(month), Decimal(0))
    change = tension - previous
    if change > threshold:
        trend = Trend.DETERIORATED
    elif change < -threshold:
        trend = Trend.IMPROVED
    else:
        trend = Trend.UNCHANGED
    return MonthTrend(month=month, tension=tension, previous=previous, threshold=threshold, trend=trend)


def latest_trend(daily: Mapping[datetime.date, Decimal]) -> MonthTrend | None:
    """The trend of the latest month with events of a series of per-day weights (None when it is empty)."""
    if not daily:
        return None
    return month_trend(by_month(daily), max(daily))


class Scope(models.TextChoices):
    """What a row of the trends table is the trend of."""

    RECORD = "record", "The whole record"
    REGION = "region", "Region"
    COUNTRY = "country", "Country"
    PAIR = "pair", "Pair of actors"


# Movers first: what got worse, then what got better, then what held.
TREND_ORDER = {Trend.DETERIORATED: 0, Trend.IMPROVED: 1, Trend.UNCHANGED: 2}


@dataclass(frozen=True)
class TrendRow:
    scope: Scope
    key: str  # a slug; for a pair its two slugs joined by "/", in the order of the pair's page address
    name: str
    trend: MonthTrend

    @property
    def slugs(self) -> list[str]:
        return self.key.split("/")


def _monthly(rows, key_count: int) -> dict[tuple, dict[datetime.date, Decimal]]:
    """Rows of (*keys, month, weights summed) as {keys: {month: weights}}; SQLite may give the month as
    text and the sum as a float."""
    series: dict[tuple, dict[datetime.date, Decimal]] = {}
    for row in rows:
        keys, month, total = tuple(row[:key_count]), row[key_count], row[key_count + 1]
        month = datetime.date.fromisoformat(month[:10]) if isinstance(month, str) else month
        months = series.setdefault(keys, {})
        months[month] = months.get(month, Decimal(0)) + on_scale(total or 0)
    return series


def by_country_and_month(events: QuerySet, weighting: Weighting) -> dict[tuple, dict[datetime.date, Decimal]]:
    rows = (
        events.order_by()
        .annotate(month=period_start(TruncMonth, "date"))
        .values("location_country", "month")
        .annotate(total=weighted_sum(weighting))
        .values_list("location_country", "month", "total")
    )
    return _monthly(rows, 1)


def by_pair_and_month(weighting: Weighting) -> dict[tuple, dict[datetime.date, Decimal]]:
    """Per pair of actors (the lower id first) and month, the weights of the published events in which one
    acts against the other, each event once whichever way round: grouped in the database, one query."""
    pair_events = (
        EventActor.objects.filter(
            role=EventActor.Role.INITIATOR,
            event__status=Event.Status.PUBLISHED,
            event__event_actors__role=EventActor.Role.TARGET,
        )
        .annotate(target=F("event__event_actors__actor"))
        .annotate(low=Least("actor", "target"), high=Greatest("actor", "target"))
        .exclude(low=F("high"))
        .annotate(month=period_start(TruncMonth, "event__date"), weight=weight(weighting, "event__"))
        .values("event", "low", "high", "month", "weight")
        .distinct()
        .order_by()
    )
    sql, params = pair_events.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT low, high, month, SUM(weight) FROM ({sql}) pair_events GROUP BY low, high, month", params
        )
        return _monthly(cursor.fetchall(), 2)


def latest_trends() -> tuple[datetime.date | None, list[TrendRow]]:
    """The trend of the record's latest month for the whole record, each region, each country (where
    events happened) and each pair of actors (one the initiator, the other the target, either way
    round), by the one rule; the published, unretracted events weighed by the default weighting rule.
    Seven queries whatever the size of the record, each grouped by month in the database; the rows
    grouped by scope, movers first."""
    weighting = Weighting()
    events = Event.objects.public(include_retracted=False)
    last = events.aggregate(last=Max("date"))["last"]
    if last is None:
        return None, []
    month = month_of(last)
    countries = by_country_and_month(events, weighting)
    record: dict[datetime.date, Decimal] = {}
    for series in countries.values():
        for key, value in series.items():
            record[key] = record.get(key, Decimal(0)) + value
    found = [TrendRow(Scope.RECORD, "", Scope.RECORD.label, month_trend(record, month))]
    names = {c.pk: c for c in Country.objects.filter(pk__in=[pk for (pk,) in countries if pk is not None])}
    found += [
        TrendRow(Scope.COUNTRY, names[pk].slug, names[pk].name, month_trend(series, month))
        for (pk,), series in countries.items()
        if pk is not None
    ]
    for region in Region.objects.prefetch_related("countries"):
        series: dict[datetime.date, Decimal] = {}
        for country in region.countries.all():
            for key, value in countries.get((country.pk,), {}).items():
                series[key] = series.get(key, Decimal(0)) + value
        if series:
            found.append(TrendRow(Scope.REGION, region.slug, region.name, month_trend(series, month)))
    pairs = by_pair_and_month(weighting)
    actors = {a.pk: a for a in Actor.objects.filter(pk__in={pk for pair in pairs for pk in pair})}
    for (first, second), series in pairs.items():
        a, b = sorted((actors[first], actors[second]), key=lambda actor: actor.name)
        found.append(TrendRow(Scope.PAIR, f"{a.slug}/{b.slug}", f"{a.name} – {b.name}", month_trend(series, month)))
    scopes = list(Scope)
    found.sort(
        key=lambda row: (scopes.index(row.scope), TREND_ORDER[row.trend.trend], -abs(row.trend.change), row.name)
    )
    return month, found
