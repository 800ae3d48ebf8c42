"""The tension index: how much escalation a period holds, and which events make it.

Definition (also on /about/): the tension index on day D is the sum of the escalation of the events
dated in the 30 days ending on D, that is from D − 29 to D inclusive. An event counts on its start
date (an exercise that lasts three weeks counts once, when it begins), at its stored escalation, so
de-escalating events (talks, agreements) lower the index. The index is computed over the events a
reader has filtered, so it answers "how tense was it, by this measure, among these events?".

Cost: one query for the per-day sums; the window is rolled in Python only over the days on which the
index changes (a day with events, or the day they leave the window), so the work grows with the
number of distinct event days, never with the span of the record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

WINDOW_DAYS = 30
# The most index points sent to the browser: past this, each point stands for the highest day of a
# run of days, so spikes survive and the payload stays bounded whatever the span.
MAX_INDEX_POINTS = 1500


@dataclass(frozen=True)
class IndexPoint:
    day: datetime.date
    value: Decimal

    @property
    def window_start(self) -> datetime.date:
        return window_for(self.day)[0]


def window_for(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the window whose index is reported on `day`."""
    return day - datetime.timedelta(days=WINDOW_DAYS - 1), day


@dataclass(frozen=True)
class DailyTotals:
    """Per day that has events: their escalation summed, and how many there are (one query)."""

    sums: dict[datetime.date, Decimal]
    counts: dict[datetime.date, int]

    @classmethod
    def of(cls, events: QuerySet) -> DailyTotals:
        rows = events.order_by().values("date").annotate(total=Sum("escalation"), n=Count("id"))
        sums, counts = {}, {}
        for row in rows.values_list("date", "total", "n"):
            sums[row[0]], counts[row[0]] = row[1] or Decimal(0), row[2]
        return cls(sums, counts)

    @property
    def event_count(self) -> int:
        return sum(self.counts.values())

    @property
    def first(self) -> datetime.date | None:
        return min(self.sums, default=None)

    @property
    def last(self) -> datetime.date | None:
        return max(self.sums, default=None)


def tension_index(
    events: QuerySet | None = None, *, totals: DailyTotals | None = None, max_points: int = MAX_INDEX_POINTS
) -> list[IndexPoint]:
    """The index from the first event to 29 days after the last (when the window has emptied).

    One point per day on which the index changes (a step function: its value holds until the next
    point), so the series is exact and small; see thin_out for very long spans. Give `totals` when
    they are already at hand (the chart has them), to save the query."""
    sums = (totals or DailyTotals.of(events)).sums
    if not sums:
        return []
    # Days as ordinals: integer arithmetic in the loop, a date made only for the points kept.
    by_ordinal = {day.toordinal(): value for day, value in sums.items()}
    end = min(max(by_ordinal) + WINDOW_DAYS - 1, datetime.date.max.toordinal())
    # The index changes only on a day with events or on the day some leave the window: walking those
    # days alone costs the same whether the record spans a month or two centuries.
    changes = set(by_ordinal)
    changes.update(day + WINDOW_DAYS for day in by_ordinal if day + WINDOW_DAYS <= end)
    changes.add(end)
    steps: list[tuple[int, Decimal]] = []
    running, previous = Decimal(0), None
    for day in sorted(changes):
        running += by_ordinal.get(day, 0) - by_ordinal.get(day - WINDOW_DAYS, 0)
        # The index is a step function: a point only where it changes (and the last day) draws it exactly.
        if running != previous or day == end:
            steps.append((day, running))
            previous = running
    return [IndexPoint(datetime.date.fromordinal(day), value) for day, value in thin_out(steps, max_points)]


def thin_out(points: list[tuple[Any, Decimal]], max_points: int) -> list[tuple[Any, Decimal]]:
    """At most `max_points` of the (day, value) points: of each run of consecutive days keep the day
    with the largest |value|."""
    if len(points) <= max_points:
        return points
    size = -(-len(points) // max_points)  # ceiling division
    return [max(points[i : i + size], key=lambda point: abs(point[1])) for i in range(0, len(points), size)]


def window_events(events: QuerySet, day: datetime.date) -> QuerySet:
    """The events that make the index on `day`, largest contributions first."""
    start, end = window_for(day)
    return events.filter(date__gte=start, date__lte=end).order_by("-escalation", "-date", "-id")


PEAKS_SHOWN = 3


def index_peaks(points: list[IndexPoint], count: int = PEAKS_SHOWN) -> list[IndexPoint]:
    """The highest points of the index whose windows do not overlap, highest first: the peaks a
    reader can open as a list of events (the chart's text equivalent)."""
    peaks: list[IndexPoint] = []
    for point in sorted(points, key=lambda p: (-p.value, p.day)):
        if len(peaks) == count or point.value <= 0:
            break
        if all(abs((point.day - peak.day).days) >= WINDOW_DAYS for peak in peaks):
            peaks.append(point)
    return peaks
