"""The change feed for mirrors: which public events changed after a point in time, oldest change first.

The log is the revision history that every write path already keeps (django-simple-history: events,
sources, actor links, reactions), so nothing new has to be written, bulk imports included. An event
counts as changed when its own row, one of its sources, actor links or reaction links, or the event
at the other end of one of its reaction links changed (its title or status is part of this event's
representation), or when its actor, type or country was edited. Each changed event appears once, at
its latest change, with its state now:

- published / changed: the event is public. `published` when this is its first publication: nothing in
  its representation changed after the history row that first made it public; `changed` otherwise. A
  property of the change itself, never of the page or the point asked from, so a client that acts on new
  events reads the same kinds whatever its `limit`;
- retracted: it is retracted, with its note (retractions are never a silent disappearance);
- removed: it was public once and is not any more (sent back to draft, or deleted): drop it.

Events that were never public do not appear at all. Position = (changed_at, event id): a cursor is
the position of the last change served. A write whose transaction commits after a later one has been
read can carry an earlier time; a mirror that wants to be safe against that asks again from a little
before its cursor (`since`): applying a change twice does no harm.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from events.models import PUBLIC_STATUSES, Actor, Country, Event, EventActor, EventType, Reaction, Source

BEGINNING = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
CHANGES_PER_PAGE = 100
MAX_CHANGES_PER_PAGE = 1000
KINDS = ("published", "changed", "retracted", "removed")


@dataclass(frozen=True)
class Position:
    changed_at: datetime.datetime
    event_id: int


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    event_id: int
    slug: str
    changed_at: datetime.datetime
    event: dict | None  # the API's representation (representation.py)


def _tables() -> dict[str, str]:
    return {
        "event_history": Event.history.model._meta.db_table,
        "source_history": Source.history.model._meta.db_table,
        "link_history": EventActor.history.model._meta.db_table,
        "reaction_history": Reaction.history.model._meta.db_table,
        "reaction": Reaction._meta.db_table,
        "event": Event._meta.db_table,
        "event_actor": EventActor._meta.db_table,
        "actor": Actor._meta.db_table,
        "event_type": EventType._meta.db_table,
        "country": Country._meta.db_table,
    }


# Every (event id, time) at which something in that event's representation changed, from `since` on. (A
# source may belong to no event: one backing a reaction link only, issue 10.)
CHANGES_SQL = """
    SELECT id AS event_id, history_date AS at FROM {event_history} WHERE history_date >= %(since)s
    UNION ALL SELECT event_id, history_date FROM {source_history}
        WHERE history_date >= %(since)s AND event_id IS NOT NULL
    UNION ALL SELECT event_id, history_date FROM {link_history} WHERE history_date >= %(since)s
    UNION ALL SELECT event_id, history_date FROM {reaction_history} WHERE history_date >= %(since)s
    UNION ALL SELECT responds_to_id, history_date FROM {reaction_history} WHERE history_date >= %(since)s
    UNION ALL SELECT r.event_id, h.history_date FROM {event_history} h
        JOIN {reaction} r ON r.responds_to_id = h.id WHERE h.history_date >= %(since)s
    UNION ALL SELECT r.responds_to_id, h.history_date FROM {event_history} h
        JOIN {reaction} r ON r.event_id = h.id WHERE h.history_date >= %(since)s
    UNION ALL SELECT l.event_id, a.updated_at FROM {actor} a
        JOIN {event_actor} l ON l.actor_id = a.id WHERE a.updated_at >= %(since)s
    UNION ALL SELECT e.id, t.updated_at FROM {event_type} t
        JOIN {event} e ON e.event_type_id = t.id WHERE t.updated_at >= %(since)s
    UNION ALL SELECT e.id, c.updated_at FROM {country} c
        JOIN {event} e ON e.location_country_id = c.id WHERE c.updated_at >= %(since)s
"""


def _as_datetime(value) -> datetime.datetime:
    # SQLite hands MAX() of a datetime column back as text.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def changed_events(after: Position, limit: int) -> list[Position]:
    """The next `limit` (changed_at, event id) positions after `after`, in order."""
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"""
        SELECT event_id, MAX(at) AS changed_at FROM ({CHANGES_SQL.format(**_tables())}) changes
        GROUP BY event_id
        HAVING MAX(at) > %(since)s OR (MAX(at) = %(since)s AND event_id > %(event_id)s)
        ORDER BY changed_at, event_id
        LIMIT %(limit)s
    """
    params = {"since": adapt(after.changed_at), "event_id": after.event_id, "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Position(_as_datetime(at), event_id) for event_id, at in cursor.fetchall()]


def changes(
    after: Position, limit: int, *, represent: Callable[[QuerySet], list[dict]]
) -> tuple[list[Change], Position, bool]:
    """The changes after `after` (at most `limit` positions read), the position to go on from, and
    whether more may follow. `represent` writes events as the API does (a page's worth of queries, as for
    the list)."""
    positions = changed_events(after, limit)
    ids = [p.event_id for p in positions]
    current = {e["id"]: e for e in represent(Event.objects.filter(pk__any_of=ids, status__in=PUBLIC_STATUSES))}
    public_rows = Event.history.filter(id__any_of=ids, status__in=PUBLIC_STATUSES)
    first_published = dict(public_rows.order_by().values("id").annotate(at=Min("history_date")).values_list("id", "at"))
    # Events no longer public appear only if they ever were, under their last public slug.
    history = public_rows.filter(id__any_of=set(ids) - set(current))
    once_public = dict(history.order_by("history_date", "history_id").values_list("id", "slug"))
    result = []
    for position in positions:
        event = current.get(position.event_id)
        if event is not None:
            if event["status"] == Event.Status.RETRACTED:
                kind = "retracted"
            else:
                # An event made public by a bulk UPDATE has no public history row: when, is unknown.
                first = first_published.get(position.event_id)
                kind = "published" if first is not None and position.changed_at <= first else "changed"
            result.append(Change(kind, position.event_id, event["slug"], position.changed_at, event))
        elif position.event_id in once_public:
            slug = once_public[position.event_id]
            result.append(Change("removed", position.event_id, slug, position.changed_at, None))
    last = positions[-1] if positions else after
    return result, last, len(positions) == limit
