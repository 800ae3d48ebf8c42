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

from django.db import models

from events.models import Actor, Country, Event, EventActor, Region
from events.tension import Weighting, weighed

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


def _add(series: dict, key, day: datetime.date, weight: Decimal) -> None:
    months = series.setdefault(key, {})
    months[month_of(day)] = months.get(month_of(day), Decimal(0)) + weight


def latest_trends() -> tuple[datetime.date | None, list[TrendRow]]:
    """The trend of the record's latest month for the whole record, each region, each country (where
    events happened) and each pair of actors (one the initiator, the other the target, either way
    round), by the one rule; the published, unretracted events weighed by the default weighting rule.
    Six queries whatever the size of the record; the rows grouped by scope, movers first."""
    rows = list(
        weighed(Event.objects.public(include_retracted=False).order_by(), Weighting()).values_list(
            "pk", "date", "location_country_id", "weight"
        )
    )
    if not rows:
        return None, []
    month = month_of(max(date for _, date, _, _ in rows))
    record: dict = {}
    countries: dict = {}
    for _, date, country, weight in rows:
        _add(record, Scope.RECORD, date, Decimal(weight))
        if country is not None:
            _add(countries, country, date, Decimal(weight))
    by_event = {pk: (date, Decimal(weight)) for pk, date, _, weight in rows}
    roles: dict[int, dict[str, set[int]]] = {}
    for event_id, actor_id, role in EventActor.objects.filter(event_id__in=list(by_event)).values_list(
        "event_id", "actor_id", "role"
    ):
        roles.setdefault(event_id, {}).setdefault(role, set()).add(actor_id)
    pairs: dict = {}
    for event_id, by_role in roles.items():
        keys = {
            tuple(sorted((initiator, target)))
            for initiator in by_role.get(EventActor.Role.INITIATOR, ())
            for target in by_role.get(EventActor.Role.TARGET, ())
            if initiator != target
        }
        for key in keys:  # an event counts once for a pair, whichever way round
            _add(pairs, key, *by_event[event_id])
    found = [TrendRow(Scope.RECORD, "", Scope.RECORD.label, month_trend(record[Scope.RECORD], month))]
    names = {c.pk: c for c in Country.objects.filter(pk__in=list(countries))}
    found += [
        TrendRow(Scope.COUNTRY, names[pk].slug, names[pk].name, month_trend(series, month))
        for pk, series in countries.items()
    ]
    for region in Region.objects.prefetch_related("countries"):
        series: dict[datetime.date, Decimal] = {}
        for country in region.countries.all():
            for key, value in countries.get(country.pk, {}).items():
                series[key] = series.get(key, Decimal(0)) + value
        if series:
            found.append(TrendRow(Scope.REGION, region.slug, region.name, month_trend(series, month)))
    actors = {a.pk: a for a in Actor.objects.filter(pk__in={pk for pair in pairs for pk in pair})}
    for (first, second), series in pairs.items():
        a, b = sorted((actors[first], actors[second]), key=lambda actor: actor.name)
        found.append(TrendRow(Scope.PAIR, f"{a.slug}/{b.slug}", f"{a.name} – {b.name}", month_trend(series, month)))
    scopes = list(Scope)
    found.sort(
        key=lambda row: (scopes.index(row.scope), TREND_ORDER[row.trend.trend], -abs(row.trend.change), row.name)
    )
    return month, found
