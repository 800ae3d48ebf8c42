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
