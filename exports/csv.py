"""The CSV export: the rows of a filtered view, as a Python path (any database) and a PostgreSQL COPY path,
both generated from the description of the record (events/record.py).

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, transaction
from django.db.models import BooleanField, Case, ExpressionWrapper, F, QuerySet, Value, When

from events.batching import batched
from events.db.export_lists import EXPORT_LISTS_TABLE
from events.models import Event, event_path_parts
from events.record import LISTS, MULTI_VALUE_SEPARATOR, NAMES, RECORD, Kind

# The OWASP prefixes, and the apostrophe itself so that the rule can be undone exactly.
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")
LINE_TERMINATOR = "\r\n"
CHUNK_SIZE = 2000  # events read (and their lists gathered) per round of queries on the Python path
FLUSH_BYTES = 64 * 1024  # bytes gathered before a piece of the response goes out
COPY_WORK_MEM = "64MB"  # PostgreSQL's sort and hash memory for the COPY statement (SET LOCAL)


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + value if value.startswith(INJECTION_PREFIXES) else value


def restore_cell(value: str) -> str:
    """The inverse of neutralise, for the importer: every text cell that begins with ' had one added."""
    return value[1:] if value.startswith("'") else value


def header_line() -> bytes:
    return _csv_line(NAMES).encode()


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

PLAIN = [f for f in RECORD if f.read]  # one value, read with the event


def _number(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    # format "f" never switches to exponent notation; + 0 turns a negative zero into 0.
    return format(value + 0, "f")


def _utc_stamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: str | None) -> str:
    return neutralise(value or "")


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _timestamp(value: datetime.datetime | None) -> str:
    return _utc_stamp(value) if value else ""


def _joined(values: list[str]) -> str:
    return neutralise(MULTI_VALUE_SEPARATOR.join(values))


# How each kind is written (SQL_RENDERINGS write the same on the COPY path); the event URL is built
# from the slug, in cell_writers().
TEXT_RENDERINGS: dict[Kind, Callable[[Any], str]] = {
    Kind.NUMBER: _number,
    Kind.TEXT: _text,
    Kind.DATE: _date,
    Kind.TIMESTAMP: _timestamp,
    Kind.LIST: _joined,
}


def cell_writers(*, url_parts: tuple[str, str]) -> list[Callable[[dict[str, Any]], str]]:
    """One function per column, in the record's order, from a row (as iter_rows gives it) to its cell;
    chosen once per file, so that writing a row is a plain loop."""
    prefix, suffix = url_parts

    def url(row: dict[str, Any]) -> str:
        return neutralise(f"{prefix}{row['slug']}{suffix}")

    def reader(name: str, render: Callable[[Any], str]) -> Callable[[dict[str, Any]], str]:
        return lambda row: render(row[name])

    return [url if f.kind is Kind.EVENT_URL else reader(f.name, TEXT_RENDERINGS[f.kind]) for f in RECORD]


def _chunk_rows(ids: list[int]) -> Iterator[dict[str, Any]]:
    """The rows of these events, in this order: one query for the plain fields and one per list
    field, whatever the number of ids. Plain tuples, not model instances: instances with prefetches
    form reference cycles that only the cyclic garbage collector frees, and memory then grows."""
    names = ["id"] + [f.name for f in PLAIN]
    rows = {
        values[0]: dict(zip(names, values, strict=True))
        for values in Event.objects.filter(id__in=ids).order_by().values_list("id", *(f.read for f in PLAIN))
    }
    for record_field in LISTS:
        many = record_field.many
        for row in rows.values():
            row[record_field.name] = []
        key = f"{many.event_field}_id"
        # The condition is read as a column, not applied as a filter: as a filter SQLite's planner may
        # start from the far table (all public events) and probe the chunk's ids for each, a scan per
        # chunk; this way it starts from the chunk's ids, on the foreign key's index.
        kept = Case(When(many.where, then=Value(True)), default=Value(False)) if many.where else Value(True)
        links = (
            many.model.objects.filter(**{f"{key}__in": ids})
            .annotate(export_kept=ExpressionWrapper(kept, output_field=BooleanField()))
            .values_list(key, many.value, "export_kept")
        )
        for event_id, value, keep in links.order_by("id") if many.order == "id" else links.order_by():
            if keep and event_id in rows:
                rows[event_id][record_field.name].append(value)
        if many.order == "value":
            for row in rows.values():
                row[record_field.name].sort()  # code-point order, as COLLATE "C" sorts in SQL
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
    url_parts = event_url_parts(base_url=base_url)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_TERMINATOR)
    writer.writerow(NAMES)
    writers = cell_writers(url_parts=url_parts)
    for row in iter_rows(events, chunk_size=chunk_size):
        writer.writerow([write(row) for write in writers])
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


# --- the PostgreSQL COPY path ------------------------------------------------------------------


# neutralise() in SQL, from the same INJECTION_PREFIXES: ASCII() of the first character (its code point
# in a UTF-8 database; 0 for an empty value) against their codes: integer comparisons, neither a regular
# expression nor text comparisons, as it runs for every text cell of every row. PostgreSQL's CSV writes
# '' as "" (to tell it from NULL); NULL is the empty field the Python path writes, hence the NULLIF.
NEUTRALISED = (
    f"CASE WHEN ASCII({{0}}) IN ({', '.join(str(ord(prefix)) for prefix in INJECTION_PREFIXES)}) "
    + "THEN '''' || {0} ELSE NULLIF({0}, '') END"
)
SQL_RENDERINGS = {
    Kind.NUMBER: "{0}",
    Kind.TEXT: NEUTRALISED,
    Kind.LIST: NEUTRALISED,
    # prefix || slug || suffix, the prefix neutralised in Python (copy_select): the URL begins with its
    # prefix, never empty, so the prefix alone decides the apostrophe.
    Kind.EVENT_URL: "{0}",
    Kind.DATE: "TO_CHAR({0}, 'YYYY-MM-DD')",  # explicit, whatever the server's DateStyle
    Kind.TIMESTAMP: """TO_CHAR({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""",
}


def copy_select(events: QuerySet, *, ordering: Sequence[str], base_url: str) -> tuple[str, tuple]:
    """The SELECT behind the COPY, generated from the record: the filtered queryset (its WHERE,
    untouched) reads the plain fields, the list fields come joined from the event's row of
    EXPORT_LISTS_TABLE (export_lists.py), and the view's order (`ordering`, e.g. ("-date", "-id"), as
    the filter's sort_order() gives it) is applied last. Each column is rendered in SQL exactly as
    cell_writers() renders it in Python."""
    plain = {"c_id": F("id")} | {f"c_{f.name}": F(f.read) for f in PLAIN}
    alias = {f.read: f"c_{f.name}" for f in PLAIN} | {"id": "c_id"}
    order_by = []
    for key in ordering:
        if key.lstrip("-") not in alias:
            raise ValueError(f"the COPY path orders by fields of the record only, not by {key}")
        order_by.append(f"v.{alias[key.lstrip('-')]}" + (" DESC" if key.startswith("-") else ""))
    view_sql, view_params = events.order_by().annotate(**plain).values_list(*plain).query.sql_with_params()
    url_prefix, url_suffix = event_url_parts(base_url=base_url)
    columns, column_params = [], []
    for f in RECORD:
        rendering = SQL_RENDERINGS[f.kind]
        if f.kind is Kind.EVENT_URL:
            value = "(%s || v.c_slug || %s)"
            column_params += [neutralise(url_prefix), url_suffix] * rendering.count("{0}")
        else:
            value = f"lists.{f.name}" if f.many else f"v.c_{f.name}"
        columns.append(rendering.format(value))
    join = f"LEFT JOIN {EXPORT_LISTS_TABLE} lists ON lists.event_id = v.c_id"
    sql = f"SELECT {', '.join(columns)} FROM ({view_sql}) v {join} ORDER BY {', '.join(order_by)}"
    return sql, (*column_params, *view_params)


def copy_csv(events: QuerySet, *, ordering: Sequence[str], base_url: str, using: str = "default") -> Iterator[bytes]:
    """The CSV file (header first) streamed by PostgreSQL's COPY … TO STDOUT through psycopg 3.

    PostgreSQL sends one row per CopyData message and ends it with LF; each is re-terminated with CRLF
    here (a line break inside a value is never at the end of a message: it sits inside the quotes).
    """
    sql, params = copy_select(events, ordering=ordering, base_url=base_url)
    pieces, size = [header_line()], 0
    connection = connections[using]
    # COPY takes no server-side parameters: they are bound client-side into one statement, which also
    # suits Django's debug cursor (its copy() takes a statement alone, and logs it).
    statement = connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER false)", params)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # For this statement only: compiling a plan of this size costs the JIT more than it saves, and
        # the sort of a mid-sized view fits in memory instead of spilling to disk. Parallel workers stay
        # as the server allows: with the lists joined ahead, a large view is scanned, joined and sorted
        # by several processes and merged in order, sooner than by one alone.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"SET LOCAL work_mem = '{COPY_WORK_MEM}'")
        with cursor.copy(statement) as copy:
            for row in copy:
                pieces.append(bytes(row[:-1]) + b"\r\n")
                size += len(row) + 1
                if size >= FLUSH_BYTES:
                    yield b"".join(pieces)
                    pieces, size = [], 0
    if pieces:
        yield b"".join(pieces)


def export_csv(events: QuerySet, *, ordering: Sequence[str], base_url: str) -> Iterator[bytes]:
    """The fast path where it exists (PostgreSQL), the Python path elsewhere: the same bytes either way,
    the events in `ordering`."""
    if connections[events.db].vendor == "postgresql":
        return copy_csv(events, ordering=ordering, base_url=base_url, using=events.db)
    return python_csv(events.order_by(*ordering), base_url=base_url)


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
    # Not set is None or "": a bound of 0 (a Decimal equal to False) narrows the file as much as any other.
    if any(cleaned_data.get(key) not in (None, "") for key in ("q", "escalation_min", "escalation_max")) or any(
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
