"""The change feed for mirrors: which public events changed after a point in time, oldest change first.

The log is the revision history that every write path already keeps (django-simple-history: events,
sources, actor links, reactions), so nothing new has to be written, bulk imports included; database
triggers keep each event's latest change from it (LatestChange, events/db/latest_change.py), so a page
is a range of one index, whatever the record's length. An event counts as changed when its own row, one
of its sources, actor links or reaction links, or the event at the other end of one of its reaction
links changed (its title or status is part of this event's representation), or when its actor, type or
country was edited. Each changed event appears once, at
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

from events.models import PUBLIC_STATUSES, Event, LatestChange

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


def _as_datetime(value) -> datetime.datetime:
    # SQLite hands a datetime back naive (in UTC), or as text where it cannot tell the column's type.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def changed_events(after: Position, limit: int) -> list[Position]:
    """The next `limit` (changed_at, event id) positions after `after`, in order: a range of the latest
    changes' index, however long the record."""
    sql = f"""
        SELECT event_id, changed_at FROM {LatestChange._meta.db_table}
        WHERE (changed_at, event_id) > (%s, %s) ORDER BY changed_at, event_id LIMIT %s
    """
    params = [connection.ops.adapt_datetimefield_value(after.changed_at), after.event_id, limit]
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
