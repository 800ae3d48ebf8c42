"""The API's event, written from plain rows: the hot path of the event list and the change feed.

DRF's serializers (serializers.EventSerializer) cost a Python call per field of every row, nested
serializers per actor, source and link, and a model instance per row and related row: about 1,150 events
a second. Here a page is read as `.values()` rows (one query for the events, one each for their actors,
sources and reaction links both ways: five whatever the page's size) and each row is shaped once, its
scalar fields read by the paths of the one record description (events/record.py) and written by their
kind. The output is the serializer's, byte for byte (tests/test_api_representation.py compares them on a
record with every kind of value); the serializer stays the schema's description and serves the event by
its slug.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import DateTimeField, Func, QuerySet
from django.utils import timezone

from events.models import BASIS_JUDGEMENT, BASIS_SOURCE, PUBLIC_STATUSES, EventActor, Reaction, Source
from events.record import RECORD, Kind

from .renderers import json_number
from .serializers import EventSerializer


def number(value: int | Decimal) -> int | float:
    # The serializer's DecimalField(coerce_to_string=False) hands JSON a Decimal, which DRF's encoder
    # writes as a float (renderers.json_number: as DRF writes it, whichever encoder writes the page).
    return value if isinstance(value, int) else json_number(float(value))


def day(value: datetime.date) -> str:
    return value.isoformat()


def timestamp(value: datetime.datetime, zone: datetime.tzinfo | None = None) -> str:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone (or `zone`), UTC as `Z`. A
    naive value is UTC (as rows() reads it on PostgreSQL)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def utc_timestamp(value: datetime.datetime) -> str:
    """timestamp() in UTC, the site's zone (settings.TIME_ZONE), of a naive value as rows() reads it on
    PostgreSQL: the same text without converting (two a row, the page's costliest value to write)."""
    return value.isoformat() + "Z" if value.tzinfo is None else timestamp(value, datetime.UTC)


def _writers() -> dict[Kind, Callable[[Any], Any] | None]:
    """How each kind of value is written; the current time zone read once for a page, not per value."""
    zone = timezone.get_current_timezone()
    in_utc = getattr(zone, "key", None) == "UTC" or zone is datetime.UTC
    return {
        Kind.NUMBER: number,
        Kind.TEXT: None,  # as stored
        Kind.DATE: day,
        Kind.TIMESTAMP: utc_timestamp if in_utc else lambda value: timestamp(value, zone),
    }


# The API's scalar fields, in the order the serializer declares them (the lists follow, in events()). Each is
# read by the record's path and written by its kind; `published_at` is the API's own (the CSV has no column
# for it), `url` is built from the slug.
LISTS = ("actors", "sources", "responds_to", "reacted_by")
API_FIELDS = [name for name in EventSerializer().fields if name not in LISTS]
RECORDED = {f.name: (f.read, f.kind) for f in RECORD if f.read} | {
    "published_at": ("published_at", Kind.TIMESTAMP),
    "url": ("slug", Kind.EVENT_URL),
}
PATHS = list(dict.fromkeys(RECORDED[name][0] for name in API_FIELDS))
TIMESTAMPS = {RECORDED[name][0] for name in API_FIELDS if RECORDED[name][1] is Kind.TIMESTAMP}
# Where a row holds each path: a timestamp under a name of its own (InUTC), the rest under the path.
READ_AS = {path: f"{path}_utc" if path in TIMESTAMPS else path for path in PATHS}


class InUTC(Func):
    """A timestamp as UTC wall-clock time, without its zone, on PostgreSQL: psycopg reads that type in C,
    where Django's loader of zoned timestamps is Python's (two a row). Elsewhere the column as it is."""

    template = "%(expressions)s"
    output_field = DateTimeField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s AT TIME ZONE 'UTC')", **extra_context)


def _scalars(url_parts: tuple[str, str]) -> list[tuple[str, str, Callable[[Any], Any] | None]]:
    """(name, path, writer) of each scalar field; the URL's writer holds this request's host."""
    prefix, suffix = url_parts

    def url(slug: str) -> str:
        return f"{prefix}{slug}{suffix}"

    writers = _writers() | {Kind.EVENT_URL: url}
    return [(name, READ_AS[RECORDED[name][0]], writers[RECORDED[name][1]]) for name in API_FIELDS]


def rows(events: QuerySet) -> QuerySet:
    """The events as the rows `events()` shapes (a page is cut from them: their keys hold the sort's)."""
    return events.values(
        *(path for path in PATHS if path not in TIMESTAMPS), **{READ_AS[p]: InUTC(p) for p in TIMESTAMPS}
    )


def _source(publisher: str, title: str, published_on: datetime.date | None, kind: str, url: str) -> dict:
    return {
        "publisher": publisher,
        "title": title,
        "published_on": None if published_on is None else published_on.isoformat(),
        "kind": kind,
        "url": url,
    }


SOURCE_COLUMNS = ("publisher", "title", "published_on", "kind", "url")


def _actors(ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    links = (
        EventActor.objects.filter(event_id__any_of=ids)
        .order_by("role", "actor__name")
        .values_list("event_id", "actor__slug", "actor__name", "actor__kind", "role")
    )
    for event_id, slug, name, kind, role in links:
        found.setdefault(event_id, []).append({"slug": slug, "name": name, "kind": kind, "role": role})
    return found


def _sources(ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    sources = Source.objects.filter(event_id__any_of=ids).order_by("published_on", "id")
    for event_id, *columns in sources.values_list("event_id", *SOURCE_COLUMNS):
        found.setdefault(event_id, []).append(_source(*columns))
    return found


def _links(dates: dict[int, datetime.date], *, here: str, there: str) -> dict[int, list[dict]]:
    """Each event's reaction links seen from `here` ("event" or "responds_to"), for the events of `dates`
    (id: date): the event at the other end (`there`) only when it is public, a reaction to a draft must not
    betray it; in the order of its date. The lag is from the event reacted to until the reaction."""
    found: dict[int, list[dict]] = {}
    links = (
        Reaction.objects.filter(**{f"{here}_id__any_of": list(dates), f"{there}__status__in": PUBLIC_STATUSES})
        .order_by(f"{there}__date", "id")
        .values_list(
            f"{here}_id",
            f"{there}__slug",
            f"{there}__title",
            f"{there}__date",
            "kind",
            "note",
            "basis_source_id",
            "basis_judgement",
            *(f"basis_source__{column}" for column in SOURCE_COLUMNS),
        )
    )
    # The page's own dates: no second join to the events table.
    direction = 1 if here == "event" else -1
    for event_id, slug, title, date, kind, note, source_id, judgement, *source in links:
        if source_id is not None:
            basis_kind = BASIS_SOURCE
        else:
            basis_kind = BASIS_JUDGEMENT if judgement.strip() else ""
        found.setdefault(event_id, []).append(
            {
                "event": slug,
                "title": title,
                "date": date.isoformat(),
                "kind": kind,
                "note": note,
                "lag_days": direction * (dates[event_id] - date).days,
                "basis": {
                    "kind": basis_kind,
                    "judgement": judgement,
                    "source": None if source_id is None else _source(*source),
                },
            }
        )
    return found


def events(page: Iterable[dict], *, url_parts: tuple[str, str]) -> list[dict]:
    """The API's representation of each row of `rows()`, in their order (four queries for the page)."""
    page = list(page)
    dates = {row["id"]: row["date"] for row in page}
    ids = list(dates)
    related = {
        "actors": _actors(ids),
        "sources": _sources(ids),
        "responds_to": _links(dates, here="event", there="responds_to"),
        "reacted_by": _links(dates, here="responds_to", there="event"),
    }
    scalars = _scalars(url_parts)
    result = []
    lists = [(name, related[name]) for name in LISTS]
    for row in page:
        event = {
            name: value if (value := row[path]) is None or write is None else write(value)
            for name, path, write in scalars
        }
        for name, found in lists:
            event[name] = found.get(row["id"], [])
        result.append(event)
    return result
