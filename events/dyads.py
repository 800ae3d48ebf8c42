"""A pair of adversaries (a dyad): what each side did to the other, and how they answered each other.

Side A's events are the public, unretracted events with A among their initiators and B among their targets;
side B's the reverse (an event with both among both is on both sides). For each side: its events, its
escalation index (the tension index of its events alone, by the one weighting rule of events/tension.py)
and their weights summed. Between them: who acted first, the reaction links from one side's event to the
other's with their lags (days from the event answered to the answer), the longest chain of such links
(action, reaction, reaction to the reaction…), and the pair's monthly trend by the rule of events/trends.py.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.http import Http404

from events.models import Actor, Event, EventActor, Reaction
from events.summary import on_scale
from events.tension import DailyTotals, IndexPoint, Weighting, tension_index, weighed
from events.trends import MonthTrend, Trend, by_month, month_of, month_trend, months_between

# The longest chain is followed at most this deep (a cycle, which the model forbids, stops here too).
CHAIN_MAX_LENGTH = 50
# The latest events of each side drawn and listed, and the reactions listed: a page stays readable and
# bounded whatever the record holds; every figure (counts, sums, index, lags, chain, trend) counts them all.
SHOWN_PER_SIDE = 200
EXCHANGES_SHOWN = 200


@dataclass
class Side:
    actor: Actor
    other: Actor
    count: int
    total: Decimal  # the weights of all its events summed
    first: Event | None
    events: list[Event]  # the latest SHOWN_PER_SIDE, by date, each with its `weight`
    index: list[IndexPoint]

    @property
    def peak(self) -> IndexPoint | None:
        return max(self.index, key=lambda point: (point.value, -point.day.toordinal()), default=None)


@dataclass
class Exchange:
    """A reaction link from one side's event to the other side's."""

    link: Reaction
    by: Actor  # the side whose event answers

    @property
    def lag_days(self) -> int:
        return (self.link.event.date - self.link.responds_to.date).days


@dataclass
class Dyad:
    a: Side
    b: Side
    exchanges: list[Exchange]
    chain: list[Event]  # the longest action–reaction chain, first event first
    trend: MonthTrend | None  # of the record's latest month
    turns: list[MonthTrend] = field(default_factory=list)  # the months that deteriorated or improved

    @property
    def first(self) -> tuple[Actor, Event] | None:
        """Who acted first against the other, and with what."""
        firsts = [(side.first.date, n, side.actor, side.first) for n, side in enumerate((self.a, self.b)) if side.first]
        return min(firsts, key=lambda entry: entry[:2])[2:] if firsts else None

    @property
    def exchanges_shown(self) -> list[Exchange]:
        return self.exchanges[:EXCHANGES_SHOWN]

    @property
    def events_by_date(self) -> list[tuple[Event, Actor]]:
        """Both sides' events on one list, each with the side that acted."""
        both = [(event, side.actor) for side in (self.a, self.b) for event in side.events]
        return sorted(both, key=lambda entry: (entry[0].date, entry[0].pk))

    @property
    def chain_slugs(self) -> list[str]:
        return [event.slug for event in self.chain]

    @property
    def lags(self) -> list[int]:
        return sorted(exchange.lag_days for exchange in self.exchanges)

    @property
    def first_actor(self) -> Actor | None:
        return self.first[0] if self.first else None

    @property
    def first_event(self) -> Event | None:
        return self.first[1] if self.first else None

    @property
    def lag_min(self) -> int | None:
        return self.lags[0] if self.lags else None

    @property
    def lag_max(self) -> int | None:
        return self.lags[-1] if self.lags else None

    @property
    def lag_median(self) -> float | None:
        return statistics.median(self.lags) if self.lags else None


def actor_pair(*, a: str, b: str) -> tuple[Actor, Actor]:
    """The two actors of a pair by their slugs: two different actors of the record, or a 404."""
    if a == b:
        raise Http404("A pair needs two different actors.")
    actors = {actor.slug: actor for actor in Actor.objects.filter(slug__in=[a, b])}
    if len(actors) != 2:
        raise Http404("No such actor.")
    return actors[a], actors[b]


def side_events(actor: Actor, other: Actor) -> QuerySet:
    """The public, unretracted events with `actor` among the initiators and `other` among the targets."""
    return (
        Event.objects.public(include_retracted=False)
        .involving([actor], role=EventActor.Role.INITIATOR)
        .involving([other], role=EventActor.Role.TARGET)
    )


def side(actor: Actor, other: Actor, weighting: Weighting) -> Side:
    """One side in three queries whatever its size: per-day totals, its first event, its latest events."""
    events = side_events(actor, other)
    daily = DailyTotals.of(events, weighting)
    latest = weighed(events, weighting).select_related("event_type").order_by("-date", "-id")[:SHOWN_PER_SIDE]
    shown = list(latest)[::-1]
    for event in shown:
        event.weight = on_scale(event.weight)  # SQLite's CASE gives a float
    return Side(
        actor=actor,
        other=other,
        count=daily.event_count,
        total=on_scale(sum(daily.sums.values(), Decimal(0))),
        first=events.order_by("date", "id").first(),
        events=shown,
        index=tension_index(totals=daily),
    )


def exchanges_between(actor_a: Actor, actor_b: Actor) -> list[Exchange]:
    """Every reaction link from one side's event to the other side's, by the answer's date."""
    a_events = side_events(actor_a, actor_b).values("pk")
    b_events = side_events(actor_b, actor_a).values("pk")
    found: dict[int, Exchange] = {}
    for by, answers, answered in ((actor_a, a_events, b_events), (actor_b, b_events, a_events)):
        links = Reaction.objects.filter(event__in=answers, responds_to__in=answered).select_related(
            "event", "responds_to"
        )
        for link in links:
            found.setdefault(link.pk, Exchange(link=link, by=by))
    return sorted(found.values(), key=lambda exchange: (exchange.link.event.date, exchange.link.pk))


def longest_chain(exchanges: list[Exchange]) -> list[Event]:
    """The longest path along the links (each answer to the one before), found once per event."""
    answers: dict[int, list[Reaction]] = {}
    events: dict[int, Event] = {}
    for exchange in exchanges:
        link = exchange.link
        answers.setdefault(link.responds_to_id, []).append(link)
        events[link.event_id], events[link.responds_to_id] = link.event, link.responds_to
    longest: dict[int, list[int]] = {}

    def from_event(event_id: int, depth: int) -> list[int]:
        if event_id not in longest:
            best: list[int] = []
            if depth < CHAIN_MAX_LENGTH:
                for link in answers.get(event_id, []):
                    path = from_event(link.event_id, depth + 1)
                    if len(path) > len(best):
                        best = path
            longest[event_id] = [event_id, *best]
        return longest[event_id]

    starts = sorted(events, key=lambda pk: (events[pk].date, pk))
    best = max((from_event(pk, 1) for pk in starts), key=len, default=[])
    return [events[pk] for pk in best] if len(best) > 1 else []


def latest_record_month() -> datetime.date | None:
    """The month of the record's latest public event: the month every trend is reported for."""
    last = Event.objects.public(include_retracted=False).aggregate(last=Max("date"))["last"]
    return month_of(last) if last else None


def pair_trends(
    daily: dict[datetime.date, Decimal], latest: datetime.date | None
) -> tuple[MonthTrend | None, list[MonthTrend]]:
    """The trend of the record's latest month, and every month since the pair's first that moved."""
    if latest is None or not daily:
        return None, []
    monthly = by_month(daily)
    trends = [month_trend(monthly, month) for month in months_between(min(daily), latest)]
    return trends[-1], [trend for trend in trends if trend.trend != Trend.UNCHANGED]


def dyad(*, a: str, b: str) -> Dyad:
    """The pair `a`/`b` as readers and the API see it (a 404 for an unknown actor or the same one twice).
    A bounded number of queries and rows whatever the size of the record (see SHOWN_PER_SIDE)."""
    actor_a, actor_b = actor_pair(a=a, b=b)
    weighting = Weighting()
    exchanges = exchanges_between(actor_a, actor_b)
    both = Event.objects.filter(
        Q(pk__in=side_events(actor_a, actor_b).values("pk")) | Q(pk__in=side_events(actor_b, actor_a).values("pk"))
    )
    latest, turns = pair_trends(DailyTotals.of(both, weighting).sums, latest_record_month())
    return Dyad(
        a=side(actor_a, actor_b, weighting),
        b=side(actor_b, actor_a, weighting),
        exchanges=exchanges,
        chain=longest_chain(exchanges),
        trend=latest,
        turns=turns,
    )


def event_pairs(event: Event) -> list[tuple[Actor, Actor]]:
    """Each (initiator, target) pair of an event, for links to the pairs' pages (its actors prefetched)."""
    links = list(event.event_actors.all())
    initiators = [link.actor for link in links if link.role == EventActor.Role.INITIATOR]
    targets = [link.actor for link in links if link.role == EventActor.Role.TARGET]
    return [(initiator, target) for initiator in initiators for target in targets if initiator != target]
