"""A pair's events on one time axis, drawn as SVG on the server: side A above the axis, side B below, each
dot further from the axis the higher its escalation, and a line for each reaction from one side to the
other. No script: the dots are links, and the page's table of events is the text alternative."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from events.dyads import Dyad
from events.models import ESCALATION_MAX, ESCALATION_MIN, Event

WIDTH, HEIGHT = 900, 300
MARGIN_X, GAP = 40, 14  # room for the year labels at the ends; space between the axis and the nearest dot
AXIS_Y = HEIGHT // 2


@dataclass(frozen=True)
class Dot:
    event: Event
    x: float
    y: float
    above: bool


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class DyadFigure:
    width: int
    height: int
    axis_y: int
    dots: list[Dot]
    lines: list[Line]
    ticks: list[Tick]


def dyad_figure(pair: Dyad) -> DyadFigure | None:
    events = [*pair.a.events, *pair.b.events]
    if not events:
        return None
    first = min(event.date for event in events)
    last = max(event.date for event in events)
    span = max((last - first).days, 1)

    def x_of(day: datetime.date) -> float:
        return round(MARGIN_X + (day - first).days / span * (WIDTH - 2 * MARGIN_X), 1)

    def distance(event: Event) -> float:
        share = float((event.escalation - ESCALATION_MIN) / (ESCALATION_MAX - ESCALATION_MIN))
        return GAP + share * (AXIS_Y - 2 * GAP)

    dots: dict[tuple[int, bool], Dot] = {}
    for side, above in ((pair.a, True), (pair.b, False)):
        for event in side.events:
            y = AXIS_Y - distance(event) if above else AXIS_Y + distance(event)
            dots[(event.pk, above)] = Dot(event=event, x=x_of(event.date), y=round(y, 1), above=above)
    lines = []
    for exchange in pair.exchanges:
        answer_above = exchange.by == pair.a.actor
        answer = dots.get((exchange.link.event_id, answer_above))
        answered = dots.get((exchange.link.responds_to_id, not answer_above))
        if answer and answered:  # both ends among the events drawn
            lines.append(Line(answered.x, answered.y, answer.x, answer.y))
    ticks = [
        Tick(x_of(datetime.date(year, 1, 1)), str(year))
        for year in range(first.year + 1, last.year + 1)
        if datetime.date(year, 1, 1) <= last
    ]
    return DyadFigure(WIDTH, HEIGHT, AXIS_Y, list(dots.values()), lines, ticks)
