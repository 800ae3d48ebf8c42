"""The CSV export: the rows of a filtered view, as a Python path (any database) and a PostgreSQL COPY path.

Both paths write byte-for-byte the same file (tests compare them):

- UTF-8 without a byte-order mark, a header row, CRLF after every row (RFC 4180). A line break inside
  a value is kept as it is stored, inside a quoted field.
- A field is quoted only when it holds a comma, a double quote, CR or LF (quotes doubled). An empty
  value and a missing value (no end date, no coordinates) are both an empty, unquoted field.
- Several values in one cell are joined by MULTI_VALUE_SEPARATOR: actor slugs in code-point order
  (so PostgreSQL sorts them with COLLATE "C", as Python does), source URLs by source id.
- Formula injection (OWASP): a text cell that begins with = + - @ a tab or a carriage return gets a
  leading '. So does a text cell that already begins with ', which makes the rule reversible: an
  importer strips one leading ' from a text cell (restore_cell) and gets the stored value back.
  Numeric columns (NUMERIC_COLUMNS) are exempt: they come from numeric database columns, so they are
  always a well-formed number such as -8.0, which a spreadsheet cannot run and pandas reads as a float.
- Dates are ISO 8601 (2024-03-08); updated_at is UTC to the second, 2024-03-08T14:05:09Z; decimals
  keep their stored scale (escalation -8.0, latitude 54.68700).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import F, Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Collate, Concat, NullIf

from .batching import batched
from .columns import EXPORT_COLUMNS, MULTI_VALUE_SEPARATOR
from .models import PUBLIC_STATUSES, Event, EventActor, Reaction, Source, event_path_parts

NUMERIC_COLUMNS = frozenset({"id", "escalation", "latitude", "longitude"})
# The OWASP prefixes, and the apostrophe itself so that the rule can be undone exactly.
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")
LINE_TERMINATOR = "\r\n"
CHUNK_SIZE = 2000  # events read (and prefetched) per query on the Python path
FLUSH_BYTES = 64 * 1024  # bytes gathered before a piece of the response goes out


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + value if value.startswith(INJECTION_PREFIXES) else value


def restore_cell(value: str) -> str:
    """The inverse of neutralise, for the importer: every text cell that begins with ' had one added."""
    return value[1:] if value.startswith("'") else value


def header_line() -> bytes:
    return _csv_line(EXPORT_COLUMNS).encode()


def _csv_line(cells: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=LINE_TERMINATOR).writerow(cells)
    return buffer.getvalue()


# --- the event URL, shared by both paths -------------------------------------------------------


def event_url_parts(*, base_url: str) -> tuple[str, str]:
    """The absolute event URL split around its slug, e.g. ("https://host/events/", "/").

    The COPY path concatenates prefix || slug || suffix in SQL, so both paths build it the same way.
    `base_url` is what request.build_absolute_uri("/") gives: scheme, host and script prefix.
    """
    prefix, suffix = event_path_parts()
    return base_url.rstrip("/") + prefix, suffix


# --- the Python path ---------------------------------------------------------------------------

# The event's own cells, read as plain tuples: model instances with prefetches form reference cycles
# that only the cyclic garbage collector frees, and memory then grows with the rows between its runs.
EVENT_FIELDS = {
    "id": "id",
    "slug": "slug",
    "date": "date",
    "date_precision": "date_precision",
    "end_date": "end_date",
    "title": "title",
    "summary": "summary",
    "event_type": "event_type__slug",
    "category": "event_type__category",
    "escalation": "escalation",
    "escalation_note": "escalation_note",
    "verification": "verification",
    "country": "location_country__iso2",
    "location": "location_name",
    "latitude": "latitude",
    "longitude": "longitude",
    "status": "status",
    "retraction_note": "retraction_note",
    "updated_at": "updated_at",
}


def _number(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    # format "f" never switches to exponent notation; + 0 turns a negative zero into 0.
    return format(value + 0, "f")


def _utc_stamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def row_cells(row: dict[str, Any], *, url_prefix: str, url_suffix: str) -> list[str]:
    """One event's CSV cells in EXPORT_COLUMNS order, from its EVENT_FIELDS values and its multi-value lists."""
    text = {
        "slug": row["slug"],
        "date": row["date"].isoformat(),
        "date_precision": row["date_precision"],
        "end_date": row["end_date"].isoformat() if row["end_date"] else "",
        "title": row["title"],
        "summary": row["summary"],
        "event_type": row["event_type"],
        "category": row["category"],
        "escalation_note": row["escalation_note"],
        "verification": row["verification"],
        "initiators": MULTI_VALUE_SEPARATOR.join(sorted(row["initiators"])),
        "targets": MULTI_VALUE_SEPARATOR.join(sorted(row["targets"])),
        "country": row["country"] or "",
        "location": row["location"],
        "responds_to": MULTI_VALUE_SEPARATOR.join(sorted(row["responds_to"])),
        "source_urls": MULTI_VALUE_SEPARATOR.join(row["source_urls"]),  # already in source id order
        "status": row["status"],
        "retraction_note": row["retraction_note"],
        "updated_at": _utc_stamp(row["updated_at"]),
        "url": f"{url_prefix}{row['slug']}{url_suffix}",
    }
    return [
        _number(row[column]) if column in NUMERIC_COLUMNS else neutralise(text[column]) for column in EXPORT_COLUMNS
    ]


def _chunk_rows(ids: list[int]) -> Iterator[dict[str, Any]]:
    """The rows of these events, in this order: four queries whatever the number of ids."""
    names = list(EVENT_FIELDS)
    rows = {
        values[0]: dict(zip(names, values, strict=True))
        for values in Event.objects.filter(id__in=ids).order_by().values_list(*EVENT_FIELDS.values())
    }
    for row in rows.values():
        row.update(initiators=[], targets=[], responds_to=[], source_urls=[])
    links = EventActor.objects.filter(event_id__in=ids).order_by().values_list("event_id", "role", "actor__slug")
    for event_id, role, slug in links:
        rows[event_id]["initiators" if role == EventActor.Role.INITIATOR else "targets"].append(slug)
    reactions = Reaction.objects.filter(event_id__in=ids, responds_to__status__in=PUBLIC_STATUSES)
    for event_id, slug in reactions.order_by().values_list("event_id", "responds_to__slug"):
        rows[event_id]["responds_to"].append(slug)
    sources = Source.objects.filter(event_id__in=ids).exclude(url="").order_by("id")
    for event_id, url in sources.values_list("event_id", "url"):
        rows[event_id]["source_urls"].append(url)
    # An event deleted between the reads is simply left out.
    return (rows[event_id] for event_id in ids if event_id in rows)


def iter_rows(events: QuerySet, *, chunk_size: int | None = None) -> Iterator[dict[str, Any]]:
    """The rows of a filtered queryset in its order, chunk_size events at a time.

    Only the ids are read from the filtered query (it keeps its WHERE and ORDER BY, and a full-text
    annotation is not transferred); each chunk is then read by id, so memory holds one chunk at a time.
    """
    chunk_size = chunk_size or CHUNK_SIZE
    ids = events.values_list("id", flat=True).iterator(chunk_size=chunk_size)
    for chunk in batched(ids, chunk_size):
        yield from _chunk_rows(chunk)


def python_csv(events: QuerySet, *, base_url: str, chunk_size: int | None = None) -> Iterator[bytes]:
    """The CSV file (header first) as pieces of about FLUSH_BYTES, on any database."""
    url_prefix, url_suffix = event_url_parts(base_url=base_url)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_TERMINATOR)
    writer.writerow(EXPORT_COLUMNS)
    for row in iter_rows(events, chunk_size=chunk_size):
        writer.writerow(row_cells(row, url_prefix=url_prefix, url_suffix=url_suffix))
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


# --- the PostgreSQL COPY path ------------------------------------------------------------------


class Neutralise(Func):
    """neutralise() in SQL. A regexp_replace, not a CASE, so the expression (and its parameters) appears once."""

    function = "REGEXP_REPLACE"
    template = "%(function)s(%(expressions)s, '^([-=+@\\t\\r''])', '''\\1')"
    output_field = TextField()


class UtcStamp(Func):
    template = """TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    output_field = TextField()


class IsoDate(Func):
    # Explicit, whatever the server's DateStyle.
    template = "TO_CHAR(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()


def _joined(queryset: QuerySet, value: str, *, ordering) -> Subquery:
    from django.contrib.postgres.aggregates import StringAgg

    aggregate = StringAgg(value, delimiter=MULTI_VALUE_SEPARATOR, order_by=ordering, output_field=TextField())
    return Subquery(queryset.order_by().values("event").annotate(joined=aggregate).values("joined"))


def _actors(role: str) -> Subquery:
    return _joined(
        EventActor.objects.filter(event=OuterRef("pk"), role=role),
        "actor__slug",
        ordering=Collate("actor__slug", "C"),
    )


def copy_select(events: QuerySet, *, base_url: str) -> tuple[str, tuple]:
    """The SELECT behind the COPY: the filtered queryset itself (its WHERE and ORDER BY, untouched),
    with one annotation per column computed in SQL exactly as row_cells() computes it in Python."""
    url_prefix, url_suffix = event_url_parts(base_url=base_url)

    def text(expression) -> NullIf:
        # PostgreSQL's CSV writes '' as "" (to tell it from NULL); NULL is the empty field Python writes.
        return NullIf(Neutralise(expression), Value(""), output_field=TextField())

    columns = {
        "id": F("id"),
        "slug": text(F("slug")),
        "date": IsoDate("date"),
        "date_precision": text(F("date_precision")),
        "end_date": IsoDate("end_date"),
        "title": text(F("title")),
        "summary": text(F("summary")),
        "event_type": text(F("event_type__slug")),
        "category": text(F("event_type__category")),
        "escalation": F("escalation"),
        "escalation_note": text(F("escalation_note")),
        "verification": text(F("verification")),
        "initiators": text(_actors(EventActor.Role.INITIATOR)),
        "targets": text(_actors(EventActor.Role.TARGET)),
        "country": text(F("location_country__iso2")),
        "location": text(F("location_name")),
        "latitude": F("latitude"),
        "longitude": F("longitude"),
        "responds_to": text(
            _joined(
                Reaction.objects.filter(event=OuterRef("pk"), responds_to__status__in=PUBLIC_STATUSES),
                "responds_to__slug",
                ordering=Collate("responds_to__slug", "C"),
            )
        ),
        "source_urls": text(_joined(Source.objects.filter(event=OuterRef("pk")).exclude(url=""), "url", ordering="id")),
        "status": text(F("status")),
        "retraction_note": text(F("retraction_note")),
        "updated_at": UtcStamp("updated_at"),
        "url": text(Concat(Value(url_prefix), F("slug"), Value(url_suffix), output_field=TextField())),
    }
    assert list(columns) == EXPORT_COLUMNS
    # Annotation names may not clash with field names, hence the prefix; the CSV has no names (HEADER false).
    named = {f"export_{name}": expression for name, expression in columns.items()}
    query = events.annotate(**named).values_list(*named).query
    return query.sql_with_params()


def copy_csv(events: QuerySet, *, base_url: str, using: str = "default") -> Iterator[bytes]:
    """The CSV file (header first) streamed by PostgreSQL's COPY … TO STDOUT through psycopg 3.

    PostgreSQL sends one row per CopyData message and ends it with LF; each is re-terminated with CRLF
    here (a line break inside a value is never at the end of a message: it sits inside the quotes).
    """
    sql, params = copy_select(events, base_url=base_url)
    pieces, size = [header_line()], 0
    connection = connections[using]
    # COPY takes no server-side parameters: they are bound client-side into one statement, which also
    # suits Django's debug cursor (its copy() takes a statement alone, and logs it).
    statement = connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER false)", params)
    with connection.cursor() as cursor:
        with cursor.copy(statement) as copy:
            for row in copy:
                pieces.append(bytes(row[:-1]) + b"\r\n")
                size += len(row) + 1
                if size >= FLUSH_BYTES:
                    yield b"".join(pieces)
                    pieces, size = [], 0
    if pieces:
        yield b"".join(pieces)


def export_csv(events: QuerySet, *, base_url: str) -> Iterator[bytes]:
    """The fast path where it exists (PostgreSQL), the Python path elsewhere: the same bytes either way."""
    if connections[events.db].vendor == "postgresql":
        return copy_csv(events, base_url=base_url, using=events.db)
    return python_csv(events, base_url=base_url)


# --- naming the file ---------------------------------------------------------------------------

FILENAME_BASE = "tension-timeline"


def export_filename(*, cleaned_data: dict) -> str:
    """A file name that says what the file holds, e.g. tension-timeline_2024-03-01_2024-03-31.csv.

    The period comes last and always (`all-dates`, `from-…`, `until-…` when open); before it, the
    place, category, types and actors asked for (slugs: safe in a header); `filtered` when other
    filters (text, escalation, verification, reactions only) narrow it further.
    """
    parts = [FILENAME_BASE]
    for key in ("region", "country"):
        if cleaned_data.get(key):
            parts.append(cleaned_data[key].slug)
    if cleaned_data.get("category"):
        parts.append(cleaned_data["category"].replace("_", "-"))
    for key in ("type", "actor"):
        parts.extend(sorted(item.slug for item in cleaned_data.get(key) or ()))
    if any(cleaned_data.get(key) not in (None, "", False) for key in ("q", "escalation_min", "escalation_max")) or any(
        cleaned_data.get(key) for key in ("verification", "reactions_only", "role")
    ):
        parts.append("filtered")
    if cleaned_data.get("include_retracted"):
        parts.append("with-retracted")
    start, end = cleaned_data.get("date_from"), cleaned_data.get("date_to")
    if start and end:
        parts += [start.isoformat(), end.isoformat()]
    elif start:
        parts.append(f"from-{start.isoformat()}")
    elif end:
        parts.append(f"until-{end.isoformat()}")
    else:
        parts.append("all-dates")
    return "_".join(parts)[:200] + ".csv"
