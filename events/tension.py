"""The tension index: how much escalation a period holds, and which events make it.

Definition (also on /about/): the tension index on day D is the sum of the weights of the events
dated in the 30 days ending on D, that is from D − 29 to D inclusive. An event counts on its start
date (an exercise that lasts three weeks counts once, when it begins). The index is computed over the
events a reader has filtered, so it answers "how tense was it, by this measure, among these events?".

The weighting rule (Weighting, the one rule every output applies: the page, the per-day totals, the
API, the embed and the CSV): an event weighs its stored escalation when it is backed, that is
published (not retracted) and confirmed or claimed; a disputed event weighs 0 unless the reader asks
to count disputed claims too (the filter's `include_disputed`); a retracted event always weighs 0,
even when the view shows it. De-escalating events (talks, agreements) weigh their negative
escalation, so they lower the index.

Cost: one query for the per-day sums; the window is rolled in Python only over the days on which the
index changes (a day with events, or the day they leave the window), so the work grows with the
number of distinct event days, never with the span of the record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When

from events.models import Event

WINDOW_DAYS = 30
# The verifications that count by default: what a source confirms, or what an actor claims openly.
BACKED = (Event.Verification.CONFIRMED, Event.Verification.CLAIMED)


@dataclass(frozen=True)
class Weighting:
    """The weighting rule (see the module's docstring): which events count, each at its escalation."""

    include_disputed: bool = False

    @property
    def verifications(self) -> tuple[str, ...]:
        return (*BACKED, Event.Verification.DISPUTED) if self.include_disputed else BACKED

    def counted(self, through: str = "") -> Q:
        """The events (or per-day totals: they have the same columns) that weigh their escalation; from
        another model, `through` is the path to the event (`event__`)."""
        return Q(**{f"{through}status": Event.Status.PUBLISHED, f"{through}verification__in": self.verifications})

    def weighs(self, event: Event) -> bool:
        return event.status == Event.Status.PUBLISHED and event.verification in self.verifications

    def describe(self) -> str:
        """The rule in words, for readers (under the chart, the embed, /about/)."""
        counted = "confirmed, claimed and disputed" if self.include_disputed else "confirmed and claimed"
        left_out = "retracted events" if self.include_disputed else "disputed and retracted events"
        return f"The index counts {counted} events at their escalation and leaves {left_out} out."


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


def weighted_sum(weighting: Weighting, field: str = "escalation") -> Sum:
    """The sum of the weights: `field` summed over the rows the rule counts."""
    return Sum(field, filter=weighting.counted())


@dataclass(frozen=True)
class DailyTotals:
    """Per day that has events: their weights summed, and how many there are (one query)."""

    sums: dict[datetime.date, Decimal]
    counts: dict[datetime.date, int]

    @classmethod
    def of(cls, events: QuerySet, weighting: Weighting) -> DailyTotals:
        """Counts of every event shown, sums of the weights of those that count."""
        rows = events.order_by().values("date").annotate(total=weighted_sum(weighting), n=Count("id"))
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
    events: QuerySet | None = None,
    *,
    weighting: Weighting | None = None,
    totals: DailyTotals | None = None,
    max_points: int = MAX_INDEX_POINTS,
) -> list[IndexPoint]:
    """The index from the first event to 29 days after the last (when the window has emptied).

    One point per day on which the index changes (a step function: its value holds until the next
    point), so the series is exact and small; see thin_out for very long spans. Give `totals` when
    they are already at hand (the chart has them), to save the query."""
    sums = (totals or DailyTotals.of(events, weighting or Weighting())).sums
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


def weight(weighting: Weighting, through: str = "") -> Case:
    """An event's weight in the index as an expression: its escalation when the rule counts it, else 0;
    from another model, `through` is the path to the event (`event__`)."""
    return Case(
        When(weighting.counted(through), then=F(f"{through}escalation")),
        default=Value(0),
        output_field=DecimalField(max_digits=3, decimal_places=1),
    )


def weighed(events: QuerySet, weighting: Weighting) -> QuerySet:
    """The events with their `weight` in the index."""
    return events.annotate(weight=weight(weighting))


def window_events(events: QuerySet, day: datetime.date, weighting: Weighting) -> QuerySet:
    """The events dated in the window of `day` with their weight, largest contributions first."""
    start, end = window_for(day)
    in_window = events.filter(date__gte=start, date__lte=end)
    return weighed(in_window, weighting).order_by("-weight", "-escalation", "-date", "-id")


def index_on(points: list[IndexPoint], day: datetime.date) -> Decimal:
    """The index on a day, read off its step function (0 before its first point)."""
    return next((point.value for point in reversed(points) if point.day <= day), Decimal(0))


def share_of_days_below(points: list[IndexPoint], day: datetime.date) -> float:
    """Of the days from the index's first point to `day`, the share on which the index stood below its
    value on `day`: where today stands against the series' own history (0.0 … 1.0). Exact on an
    unthinned series (each point's value holds until the next point)."""
    current, below, total = index_on(points, day), 0, 0
    for point, following in zip(points, [*points[1:], None], strict=True):
        if point.day > day:
            break
        until = min(following.day, day + datetime.timedelta(days=1)) if following else day + datetime.timedelta(days=1)
        days = (until - point.day).days
        total += days
        below += days if point.value < current else 0
    return below / total if total else 0.0


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
