"""Read paths: what readers see, assembled from the Event QuerySet and the one EventFilter, and when it
last changed (data_version: the one clock behind the pages' cache and the API's ETags)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, Prefetch
from django.http import Http404

from editorial.models import SourceSnapshot, with_page_checks
from events.filters import EventFilter, sort_order
from events.models import PUBLIC_STATUSES, DataVersion, Event, EventQuerySet, Reaction, Source
from events.tension import (
    DailyTotals,
    IndexPoint,
    index_on,
    share_of_days_below,
    tension_index,
    window_events,
    window_for,
)
from events.trends import MonthTrend, latest_trend

# The time of a record that no write has touched yet (no DataVersion row).
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class RecordVersion(NamedTuple):
    """The version of what readers see: the data version (DataVersion, moved by a trigger in the
    transaction of every write readers could see) and when it last moved."""

    number: int
    changed_at: datetime.datetime

    @property
    def tag(self) -> str:
        """This version with the release serving it (settings.RELEASE): a deployment changes answers as
        surely as an edit does. The readers' page cache and the API's ETags are built on it."""
        return f"{self.number}.{self.changed_at.timestamp():.6f}.{settings.RELEASE}"


def data_version() -> RecordVersion:
    """The one "record changed" clock, in one primary-key query: the readers' page cache and its 304s
    (readers/caching.py) and the API's conditional requests (api/versioning.py) both read it here.

    The statement is written out rather than built by the ORM: it runs before every cached answer and
    every 304, and building it cost eight times running it (0.35 against 0.04 ms of CPU on PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, changed_at FROM {DataVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return RecordVersion(0, EPOCH)
    number, changed_at = row
    # PostgreSQL hands back an aware time; SQLite a naive one, in UTC (the trigger writes UTC).
    return RecordVersion(number, changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=datetime.UTC))


def public_events(*, include_retracted: bool = True) -> EventQuerySet:
    return Event.objects.public(include_retracted=include_retracted)


def event_filter(*, params: Mapping | None) -> EventFilter:
    """The reader's filtered view: only public events, whatever the query says.

    `filterset.qs` is the result (empty when a filter is invalid); `filterset.errors` says why.
    The timeline, its table, the CSV export and the feed all start here.
    """
    return EventFilter(params or {}, queryset=public_events(include_retracted=True))


def most_escalating(events: EventQuerySet, *, count: int) -> list[Event]:
    """The `count` most escalating of these events, in the table's "most escalating first" order: the
    chart in words lists them as links (what a reader who does not see the chart would look for first)."""
    fields = ("slug", "title", "date", "date_precision", "escalation", "status")
    return list(events.order_by(*sort_order("-escalation")).only(*fields)[:count])


def event_for_reader(*, slug: str, user: User | AnonymousUser) -> Event:
    """One event as a reader may see it: drafts and events in review exist only for staff. Its sources
    say when a copy of a page found gone was kept (kept_copy_on: editorial.models.with_page_checks)."""
    # The reaction chain is loaded separately by reaction_chains(), which filters out drafts.
    sources = with_page_checks(Source.objects.all())
    events = Event.objects.for_display().prefetch_related(Prefetch("sources", queryset=sources))
    if not user.is_staff:
        events = events.public()
    try:
        return events.get(slug=slug)
    except Event.DoesNotExist:
        raise Http404("No such event.") from None


def kept_copy(*, slug: str, source_id: int) -> tuple[Source, SourceSnapshot]:
    """The copy we keep of a public event's source whose page was last found gone: nothing else (a
    source of a draft, a page still there, a page never kept) has a copy readers may see."""
    sources = with_page_checks(Source.objects.filter(event__status__in=PUBLIC_STATUSES)).select_related("event")
    source = sources.filter(pk=source_id, event__slug=slug, kept_copy_on__isnull=False).first()
    if source is None:
        raise Http404("No copy of this source is shown.")
    return source, source.snapshots.with_text().latest_first().first()


# How far a reaction chain is followed from the event shown. Deeper links exist in the record but a
# page must stay readable and its query bounded; a cycle (which the model forbids, but a database
# edit could still create) stops here too.
CHAIN_MAX_DEPTH = 25


@dataclass
class ChainLink:
    """One line of a reaction chain: `link` joins `event` (shown on this line) to its parent line."""

    link: Reaction
    event: Event
    depth: int
    repeated: bool = False  # already shown higher up: not expanded again
    has_children: bool = False
    closes_after: range = range(0)  # how many nested lists end after this line (for the template)


def _chain_rows(event_id: int, *, upstream: bool, statuses: tuple[str, ...] | None) -> list[int]:
    """Ids of the Reaction links reachable from the event, in one recursive query (SQLite and
    PostgreSQL alike). Upstream follows what it responds to; downstream, what responds to it. Only
    links whose far end has one of `statuses` are walked, so a hidden event neither shows nor
    joins two visible ones. UNION (not UNION ALL) and the depth cap keep a cycle finite."""
    reaction, event = Reaction._meta.db_table, Event._meta.db_table
    near, far = ("event_id", "responds_to_id") if upstream else ("responds_to_id", "event_id")
    status_sql, status_params = "", []
    if statuses is not None:
        status_sql = f" AND e.status IN ({', '.join(['%s'] * len(statuses))})"
        status_params = list(statuses)
    sql = f"""
        WITH RECURSIVE chain(reaction_id, next_id, depth) AS (
            SELECT r.id, r.{far}, 1
              FROM {reaction} r JOIN {event} e ON e.id = r.{far}
             WHERE r.{near} = %s{status_sql}
            UNION
            SELECT r.id, r.{far}, c.depth + 1
              FROM chain c JOIN {reaction} r ON r.{near} = c.next_id JOIN {event} e ON e.id = r.{far}
             WHERE c.depth < %s{status_sql}
        )
        SELECT DISTINCT reaction_id FROM chain
    """
    params = [event_id, *status_params, CHAIN_MAX_DEPTH, *status_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def reaction_chains(event: Event, *, include_unpublished: bool = False) -> tuple[list[ChainLink], list[ChainLink]]:
    """What the event responds to (recursively) and every reaction to it (recursively), as two
    depth-first lists ready for nested rendering. Three queries whatever the length of the chains.

    Anonymous readers see public events only: a published reaction to a draft does not reveal it.
    """
    statuses = None if include_unpublished else PUBLIC_STATUSES
    up_ids = _chain_rows(event.pk, upstream=True, statuses=statuses)
    down_ids = _chain_rows(event.pk, upstream=False, statuses=statuses)
    links = list(
        Reaction.objects.filter(pk__in=set(up_ids) | set(down_ids))
        .select_related("event__event_type", "responds_to__event_type", "basis_source")
        .order_by("responds_to__date", "event__date", "id")
    )
    up_set, down_set = set(up_ids), set(down_ids)
    responds_to: dict[int, list[Reaction]] = {}
    reacted_by: dict[int, list[Reaction]] = {}
    for link in links:
        if link.pk in up_set:
            responds_to.setdefault(link.event_id, []).append(link)
        if link.pk in down_set:
            reacted_by.setdefault(link.responds_to_id, []).append(link)
    upstream = _walk(event.pk, responds_to, lambda link: link.responds_to)
    downstream = _walk(event.pk, reacted_by, lambda link: link.event)
    return upstream, downstream


def _walk(start: int, children: dict[int, list[Reaction]], far_end) -> list[ChainLink]:
    """Depth-first, iteratively (no recursion limit to hit), expanding each event once."""
    lines: list[ChainLink] = []
    expanded = {start}
    stack = [(link, 1) for link in reversed(children.get(start, []))]
    while stack:
        link, depth = stack.pop()
        other = far_end(link)
        line = ChainLink(link=link, event=other, depth=depth, repeated=other.pk in expanded)
        lines.append(line)
        if line.repeated or depth >= CHAIN_MAX_DEPTH:
            continue
        expanded.add(other.pk)
        below = children.get(other.pk, [])
        line.has_children = bool(below)
        stack.extend((child, depth + 1) for child in reversed(below))
    for index, line in enumerate(lines):
        if not line.has_children:
            following = lines[index + 1].depth if index + 1 < len(lines) else 1
            line.closes_after = range(line.depth - following)
    return lines


@dataclass
class SourceCredit:
    """Who the events of a view are sourced from: the most cited publishers first."""

    publishers: list[str]
    publisher_count: int
    source_count: int

    @property
    def others(self) -> int:
        return self.publisher_count - len(self.publishers)


def source_credit(events: EventQuerySet, *, named: int) -> SourceCredit:
    """The publishers behind these events' sources: the `named` most cited, and how many in all.

    One grouped query (a row per publisher, a bounded number however many events)."""
    cited = list(
        Source.objects.filter(event__in=events.order_by().values("id"))
        .values("publisher")
        .annotate(n=Count("id"))
        .order_by("-n", "publisher")
        .values_list("publisher", "n")
    )
    return SourceCredit(
        publishers=[publisher for publisher, _ in cited[:named]],
        publisher_count=len(cited),
        source_count=sum(n for _, n in cited),
    )


# The events named as making most of the tension now.
TOP_CONTRIBUTIONS = 3


@dataclass
class TensionNow:
    """Where a view's tension stands at its latest day: the front page's (and the embed's) answer to "how
    tense is it now?". "Now" is the view's latest event day, a fact of the record (and of its cache)."""

    first: datetime.date
    day: datetime.date
    index: Decimal
    share_below: float  # of the days from `first` to `day`, those with a lower index
    trend: MonthTrend
    top: list[Event]  # the largest contributions to `index`, with their `weight`

    @property
    def window_start(self) -> datetime.date:
        return window_for(self.day)[0]

    @property
    def percentile(self) -> int:
        return round(100 * self.share_below)


def tension_now(*, filterset: EventFilter, totals: DailyTotals) -> TensionNow | None:
    """The tension now of a filtered view, from the per-day totals its chart read (no second pass), and
    one query for the events that contribute most. None for a view without events."""
    if totals.last is None:
        return None
    weighting = filterset.weighting()
    # Unthinned: the share of days below must be exact, whatever the span.
    points: list[IndexPoint] = tension_index(totals=totals, max_points=len(totals.sums) * 2 + 1)
    day = totals.last
    top = window_events(filterset.qs, day, weighting).filter(weight__gt=0)[:TOP_CONTRIBUTIONS]
    return TensionNow(
        first=totals.first,
        day=day,
        index=index_on(points, day),
        share_below=share_of_days_below(points, day),
        trend=latest_trend(totals.sums),
        top=list(top),
    )
