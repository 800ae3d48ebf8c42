"""CSV import of events, in the columns of the CSV export (described once in events/record.py).

Rules:
- All or nothing: the whole file is validated first; if any row is invalid, nothing is written and
  every bad row is reported with its line, slug, column and message.
- Stable key: `slug`. A slug not in the database creates a **draft**; a slug that exists updates that
  event (a second import of the same file changes nothing: unchanged rows are skipped).
- An existing draft or event in review is updated and keeps its status. A **published or retracted**
  event is never changed by an import (what readers see changes only through review in the admin): a
  row that equals it is skipped as unchanged (so an export can be re-imported), a row that differs
  from it is an error.
- Columns: `event_type` by slug, `initiators`/`targets`/`responds_to` as slugs and `source_urls` as
  URLs, each joined by "; ", `country` as an ISO code. `id`, `category`, `status`, `retraction_note`,
  `updated_at` and `url` are written by the export and ignored here (they are derived or belong to
  the workflow). A column the export does not write is an error (a wrong file, caught at its header).
- Bounded (ImportLimits, from settings): the file's size (web uploads only; larger files go through
  `manage.py import_events FILE`), its rows, its columns, each cell's length and each line's length.
  The file is checked first, in one streaming pass: NUL bytes (a spreadsheet or other binary file)
  and bytes that are not UTF-8 are refused with their position, before any CSV parsing.
- Sources are matched on their URL and only ever added (a source is evidence: removing one is an
  editor's deliberate act in the admin); a new source's publisher is the URL's host, its kind the
  default (news), to be checked in review. Actors and reactions are set to exactly the file's.

Why not django-import-export: it loads the whole dataset (tablib) into memory and validates row by
row through resources; for 100,000 rows and an all-or-nothing rule we stream the file twice with the
csv module instead: pass 1 parses and validates each row with a Django form and the model's own
clean(), keeping only a slug → date index (for duplicates and `responds_to`); pass 2 writes in
batches of BATCH_SIZE inside one transaction, with simple-history's bulk helpers so every write is in
the revision history. Memory is one batch plus the index, whatever the file's length.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from events.batching import batched
from events.models import WEB_URL_SCHEMES, Actor, Country, Event, EventActor, EventType, Reaction, Source, base_slug
from events.record import IMPORTED, MULTI_VALUE_SEPARATOR, NAMES, REQUIRED_COLUMNS
from exports.csv import restore_cell

# The columns, which of them a file must have and how each cell is parsed: from the record's description.
EXPORT_COLUMNS = COLUMNS = NAMES
BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 500
PREVIEW_ROWS = 20
CHANGE_REASON = "CSV import"

# The Event fields an import sets, and the CSV column each comes from (for error messages). The slug
# is the row's key, handled apart.
EVENT_FIELDS = {f.sets: f.name for f in IMPORTED if f.sets and f.sets != "slug"}
COMPARED_FIELDS = [f if f not in ("event_type", "location_country") else f + "_id" for f in EVENT_FIELDS]
SCAN_CHUNK_BYTES = 64 * 1024
# A line may hold a few long cells (quotes doubled): past this multiple of the cell limit it is refused,
# which also bounds the number of cells a line can make (memory), whatever its column count.
LINE_CHARS_PER_CELL_LIMIT = 4
Progress = Callable[[str, int, int], None]  # (stage, bytes done, bytes in all)


@dataclass(frozen=True)
class ImportLimits:
    """What one import accepts. `max_bytes` None: no size limit (the management command)."""

    max_bytes: int | None
    max_rows: int
    max_columns: int = field(default_factory=lambda: settings.IMPORT_MAX_COLUMNS)
    max_cell_chars: int = field(default_factory=lambda: settings.IMPORT_MAX_CELL_CHARS)

    @classmethod
    def for_web(cls) -> ImportLimits:
        return cls(max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES, max_rows=settings.IMPORT_MAX_ROWS)

    @classmethod
    def for_command(cls) -> ImportLimits:
        return cls(max_bytes=None, max_rows=settings.IMPORT_COMMAND_MAX_ROWS)

    @property
    def max_line_chars(self) -> int:
        return self.max_cell_chars * LINE_CHARS_PER_CELL_LIMIT


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


class UnreadableFile(Exception):
    """The file cannot be read as CSV at all: one message, no rows."""

    def __init__(self, message: str, line: int = 1, column: str = "file") -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True)
class RowError:
    line: int
    slug: str
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" ({self.slug})" if self.slug else "")
        return f"{where}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict[str, str]] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    @property
    def summary(self) -> str:
        if not self.ok:
            return f"Import refused: {self.error_count} error(s) in {self.rows} row(s); nothing was written."
        verb = "Imported" if self.written else "Ready to import"
        return (
            f"{verb} {self.rows} row(s): {self.created} new draft(s), {self.updated} updated, "
            f"{self.unchanged} unchanged."
        )


@dataclass
class ParsedRow:
    line: int
    slug: str
    values: dict[str, Any]  # Event field name → value (event_type, location_country as objects)
    initiators: frozenset[int]
    targets: frozenset[int]
    responds_to: frozenset[str]
    source_urls: tuple[str, ...]


class Lookups:
    """Slug → row for the small reference tables, loaded once per import."""

    def __init__(self) -> None:
        self.types = {t.slug: t for t in EventType.objects.all()}
        self.countries = {c.iso2: c for c in Country.objects.all()}
        self.actors = dict(Actor.objects.values_list("slug", "pk"))


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(MULTI_VALUE_SEPARATOR.strip()) if part.strip()]


class RowChecks(forms.Form):
    """One CSV row's cells, parsed and checked field by field (the model's clean() runs after). The fields
    come from the record (RowForm below); the lookups of slugs and codes are the methods here."""

    def __init__(self, *, lookups: Lookups) -> None:
        super().__init__({})
        self.lookups = lookups

    def validate(self, data: dict[str, str]) -> bool:
        """Check one row. One form is reused for every row: building a form deep-copies its fields,
        which was a third of the import's time at 100,000 rows."""
        self.data, self._errors = data, None
        return self.is_valid()

    def clean_date(self) -> tuple[datetime.date, str | None]:
        """ISO dates; "2024-03" and "2024" are accepted too and imply their precision."""
        value = self.cleaned_data["date"].strip()
        formats = [("%Y-%m-%d", None), ("%Y-%m", Event.Precision.MONTH), ("%Y", Event.Precision.YEAR)]
        for fmt, implied in formats:
            try:
                return datetime.datetime.strptime(value, fmt).date(), implied
            except ValueError:
                continue
        raise ValidationError("Use an ISO date: 2024-03-08 (or 2024-03, or 2024).")

    def clean_event_type(self) -> EventType:
        slug = self.cleaned_data["event_type"].strip()
        try:
            return self.lookups.types[slug]
        except KeyError:
            raise ValidationError(f"No event type with the slug “{slug}”.") from None

    def clean_country(self) -> Country | None:
        code = self.cleaned_data["country"].strip().upper()
        if not code:
            return None
        try:
            return self.lookups.countries[code]
        except KeyError:
            raise ValidationError(f"No country with the ISO code “{code}”.") from None

    def _actors(self, name: str) -> frozenset[int]:
        slugs = _split(self.cleaned_data[name])
        unknown = [slug for slug in slugs if slug not in self.lookups.actors]
        if unknown:
            raise ValidationError(f"No actor with the slug {', '.join(f'“{s}”' for s in unknown)}.")
        return frozenset(self.lookups.actors[slug] for slug in slugs)

    def clean_initiators(self) -> frozenset[int]:
        return self._actors("initiators")

    def clean_targets(self) -> frozenset[int]:
        return self._actors("targets")

    def clean_responds_to(self) -> frozenset[str]:
        return frozenset(_split(self.cleaned_data["responds_to"]))

    def clean_source_urls(self) -> tuple[str, ...]:
        urls = _split(self.cleaned_data["source_urls"])
        validate = URLValidator(schemes=list(WEB_URL_SCHEMES))
        for url in urls:
            if len(url) > 500:
                raise ValidationError(f"Too long (over 500 characters): “{url[:60]}…”.")
            try:
                validate(url)
            except ValidationError:
                raise ValidationError(f"Not a web address (http:// or https://): “{url[:200]}”.") from None
        return tuple(dict.fromkeys(urls))


# A field per column the record says the import reads, parsed as the record says, in the record's order.
RowForm = type("RowForm", (RowChecks,), {f.name: f.parse() for f in IMPORTED})


def check_file(file: IO[bytes], limits: ImportLimits) -> int:
    """One streaming pass over the bytes before any parsing: size, NUL bytes (binary), UTF-8 at every
    position. Returns the size; raises UnreadableFile with the first problem's position."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if size == 0:
        raise UnreadableFile("The file is empty.")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise UnreadableFile(
            f"The file is {megabytes(size)}; an upload takes at most {megabytes(limits.max_bytes)}. "
            "Import larger files on the server with: manage.py import_events FILE"
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    while chunk := file.read(SCAN_CHUNK_BYTES):
        nul = chunk.find(b"\x00")
        if nul >= 0:
            line = lines + chunk.count(b"\n", 0, nul)
            raise UnreadableFile(
                f"This is not a CSV text file: it holds a NUL byte at byte {offset + nul + 1:,} (line {line}). "
                "A spreadsheet (.xlsx, .ods) must be saved as “CSV UTF-8” first.",
                line=line,
            )
        carried = decoder.getstate()[0]  # the start of a character cut by the previous chunk
        try:
            decoder.decode(chunk, final=False)
        except UnicodeDecodeError as exc:
            position = exc.start - len(carried)  # within this chunk (negative: in the bytes carried over)
            line = lines + chunk.count(b"\n", 0, max(position, 0))
            bad = (carried + chunk)[exc.start]
            raise UnreadableFile(
                f"The file is not UTF-8 text: byte {offset + position + 1:,} (line {line}) is 0x{bad:02X}, "
                "which UTF-8 does not allow there (Latin-1 or Windows-1252?). Save it as “CSV UTF-8” and "
                "upload it again.",
                line=line,
            ) from None
        offset += len(chunk)
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UnreadableFile(
            f"The file is not UTF-8 text: it ends inside a character (byte {offset:,}).", line=lines
        ) from None
    file.seek(0)
    return size


def _bounded_lines(text: IO[str], limits: ImportLimits) -> Iterator[str]:
    """The file's physical lines for the csv module, refusing one longer than the limit."""
    number = 0
    while line := text.readline(limits.max_line_chars + 1):
        number += 1
        if len(line) > limits.max_line_chars:
            raise UnreadableFile(
                f"Line {number} is longer than {limits.max_line_chars:,} characters: too many columns or "
                "cells far too long for an event.",
                line=number,
            )
        yield line


def _reader(
    file: IO[bytes], report: ImportReport, limits: ImportLimits, progress: Progress | None = None, stage: str = ""
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; a bad file or header is one error and no rows."""
    file.seek(0)
    total = file.seek(0, io.SEEK_END)
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    # The csv module's cell limit is process-wide; imports are the only CSV reader in the app.
    csv.field_size_limit(limits.max_cell_chars)
    reader = csv.reader(_bounded_lines(text, limits))
    try:
        header = next(reader, None) or []
        problem = _header_problem(header, limits)
        if problem:
            report.add_error(RowError(1, "", "header", problem))
            return
        header = [name.strip() for name in header]
        rows = 0
        for cells in reader:
            if not any(cells):
                continue  # a blank line
            rows += 1
            if rows > limits.max_rows:
                report.add_error(
                    RowError(
                        reader.line_num,
                        "",
                        "file",
                        f"The file has more than {limits.max_rows:,} rows, the most one import takes here"
                        + (": import it on the server with manage.py import_events FILE." if limits.max_bytes else "."),
                    )
                )
                return
            if len(cells) > len(header):
                report.add_error(
                    RowError(reader.line_num, "", "file", f"{len(cells)} cells, but the header has {len(header)}.")
                )
                continue
            if progress and rows % BATCH_SIZE == 0:
                progress(stage, file.tell(), total)
            yield reader.line_num, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))
    except UnreadableFile as exc:
        report.add_error(RowError(exc.line, "", exc.column, str(exc)))
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = f"A cell is longer than {limits.max_cell_chars:,} characters, the most an import takes."
        report.add_error(RowError(reader.line_num, "", "file", f"Unreadable CSV: {message}"))
    finally:
        if progress:
            progress(stage, total, total)
        text.detach()  # leave the underlying file open for the second pass


def _header_problem(header: list[str], limits: ImportLimits) -> str | None:
    if len(header) > limits.max_columns:
        return (
            f"The header has {len(header):,} columns; an import reads at most {limits.max_columns} "
            f"(the export has {len(EXPORT_COLUMNS)})."
        )
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in EXPORT_COLUMNS]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"Missing column(s): {', '.join(missing)}.")
        if unknown:
            shown = ", ".join(f"“{name[:40]}”" for name in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            parts.append(f"Unknown column(s): {shown}.")
        return " ".join(parts) + " The first line must name the export's columns (see “About the data”)."
    if len(set(names)) != len(names):
        return "A column is named twice."
    return None


def _parse(line: int, row: dict[str, str], form: RowForm) -> ParsedRow | list[RowError]:
    # The export neutralises cells that a spreadsheet would run as a formula ('=…): undo it here.
    data = {key: restore_cell(value or "") for key, value in row.items() if key is not None}
    slug = data.get("slug", "").strip()
    if not form.validate(data):
        return [
            RowError(line, slug, column, message) for column, messages in form.errors.items() for message in messages
        ]
    cleaned = form.cleaned_data
    date, implied_precision = cleaned["date"]
    values: dict[str, Any] = {
        "title": cleaned["title"].strip(),
        "date": date,
        "date_precision": cleaned["date_precision"] or implied_precision or Event.Precision.DAY,
        "end_date": cleaned["end_date"],
        "summary": cleaned["summary"].strip(),
        "event_type": cleaned["event_type"],
        "escalation": cleaned["escalation"],
        "escalation_note": cleaned["escalation_note"].strip(),
        "verification": cleaned["verification"] or None,  # the export has no such column: see _assign
        "location_country": cleaned["country"],
        "location_name": cleaned["location"].strip(),
        "latitude": cleaned["latitude"],
        "longitude": cleaned["longitude"],
    }
    # A row without a slug gets one derived from its title and date, so that importing it again
    # finds the same event.
    slug = cleaned["slug"] or base_slug(values["title"], date)
    return ParsedRow(
        line=line,
        slug=slug,
        values=values,
        initiators=cleaned["initiators"],
        targets=cleaned["targets"],
        responds_to=cleaned["responds_to"],
        source_urls=cleaned["source_urls"],
    )


def _model_errors(parsed: ParsedRow, existing: Event | None) -> list[RowError]:
    """The model's own invariants (Event.clean: dates, coordinates, escalation note…) on the new values."""
    event = Event(slug=parsed.slug, status=Event.Status.DRAFT)
    if existing is not None:
        # The export has no note or verification column: an empty cell keeps the event's own.
        event.escalation_note, event.verification = existing.escalation_note, existing.verification
    _assign(event, parsed, keep_note=True)
    try:
        # The type and country come from the lookups (no query per row to re-check them); constraints
        # and uniqueness are left to the database and to the slug index of pass 1.
        event.full_clean(
            exclude=["slug", "event_type", "location_country"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        return [
            RowError(parsed.line, parsed.slug, EVENT_FIELDS.get(name, name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    if parsed.initiators & parsed.targets:
        return [RowError(parsed.line, parsed.slug, "targets", "An actor cannot be initiator and target of one event.")]
    if parsed.slug in parsed.responds_to:
        return [RowError(parsed.line, parsed.slug, "responds_to", "An event cannot respond to itself.")]
    return []


def _assign(event: Event, parsed: ParsedRow, *, keep_note: bool) -> None:
    """Set the row's values; an empty escalation_note or verification (columns the export does not
    write) keeps the event's own, or takes the default for a new one."""
    for name, value in parsed.values.items():
        if name == "escalation_note" and keep_note and not value:
            continue
        if name == "verification" and value is None:
            if event.verification:
                continue
            value = Event.Verification.CLAIMED
        setattr(event, name, value)
    event.fill_derived()


@dataclass
class Existing:
    event: Event
    initiators: frozenset[int]
    targets: frozenset[int]
    responds_to: frozenset[str]
    source_urls: frozenset[str]

    def differs(self, parsed: ParsedRow) -> bool:
        probe = Event(escalation_note=self.event.escalation_note, verification=self.event.verification)
        _assign(probe, parsed, keep_note=True)
        return (
            any(getattr(probe, name) != getattr(self.event, name) for name in COMPARED_FIELDS)
            or parsed.initiators != self.initiators
            or parsed.targets != self.targets
            or parsed.responds_to != self.responds_to
            or not set(parsed.source_urls) <= self.source_urls
        )


def _load_existing(slugs: Iterable[str], *, lock: bool = False) -> dict[str, Existing]:
    events_qs = Event.objects.filter(slug__in=list(slugs)).select_related("event_type")
    if lock:
        events_qs = events_qs.select_for_update(of=("self",))
    events = {event.pk: event for event in events_qs}
    if not events:
        return {}
    links: dict[int, dict[str, set]] = {pk: {"initiator": set(), "target": set()} for pk in events}
    for event_id, actor_id, role in EventActor.objects.filter(event_id__in=events).values_list(
        "event_id", "actor_id", "role"
    ):
        links[event_id][role].add(actor_id)
    urls: dict[int, set[str]] = {pk: set() for pk in events}
    for event_id, url in Source.objects.filter(event_id__in=events).exclude(url="").values_list("event_id", "url"):
        urls[event_id].add(url)
    responds: dict[int, set[str]] = {pk: set() for pk in events}
    for event_id, slug in Reaction.objects.filter(event_id__in=events).values_list("event_id", "responds_to__slug"):
        responds[event_id].add(slug)
    return {
        event.slug: Existing(
            event=event,
            initiators=frozenset(links[pk]["initiator"]),
            targets=frozenset(links[pk]["target"]),
            responds_to=frozenset(responds[pk]),
            source_urls=frozenset(urls[pk]),
        )
        for pk, event in events.items()
    }


def _parsed_rows(
    file: IO[bytes], report: ImportReport, lookups: Lookups, limits: ImportLimits, progress: Progress | None, stage: str
) -> Iterator[ParsedRow | list[RowError]]:
    form = RowForm(lookups=lookups)
    for line, row in _reader(file, report, limits, progress, stage):
        yield _parse(line, row, form)


def import_events(
    *,
    file: IO[bytes],
    user: Any = None,
    dry_run: bool = False,
    limits: ImportLimits | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the file, validate every row, then (unless dry_run or any error) write it in one transaction.

    `limits` default to the web's (ImportLimits.for_web); `progress` is called as the file is read."""
    report = ImportReport()
    limits = limits or ImportLimits.for_web()
    try:
        check_file(file, limits)
    except UnreadableFile as exc:
        report.add_error(RowError(exc.line, "", exc.column, str(exc)))
        return report
    lookups = Lookups()
    index: dict[str, int] = {}  # slug → date ordinal of every row: duplicates and responds_to
    references: list[tuple[int, str, int, frozenset[str]]] = []  # rows that respond to others

    # Pass 1: parse and validate everything; count what would happen.
    for batch in batched(_parsed_rows(file, report, lookups, limits, progress, "validating"), BATCH_SIZE):
        good = []
        for parsed in batch:
            report.rows += 1
            if isinstance(parsed, list):
                for error in parsed:
                    report.add_error(error)
                continue
            if parsed.slug in index:
                report.add_error(RowError(parsed.line, parsed.slug, "slug", "This slug appears twice in the file."))
                continue
            index[parsed.slug] = parsed.values["date"].toordinal()
            if parsed.responds_to:
                references.append((parsed.line, parsed.slug, index[parsed.slug], parsed.responds_to))
            good.append(parsed)
        existing = _load_existing(p.slug for p in good)
        for parsed in good:
            found = existing.get(parsed.slug)
            errors = _model_errors(parsed, found.event if found else None)
            if errors:
                for error in errors:
                    report.add_error(error)
                continue
            action = "new draft"
            if found is None:
                report.created += 1
            elif not found.differs(parsed):
                report.unchanged += 1
                action = "unchanged"
            elif found.event.is_public:
                report.add_error(
                    RowError(
                        parsed.line,
                        parsed.slug,
                        "slug",
                        f"“{parsed.slug}” is {found.event.get_status_display().lower()}: an import does not change "
                        "what readers see. Edit it in the admin, or give this row a new slug.",
                    )
                )
                continue
            else:
                report.updated += 1
                action = f"update ({found.event.get_status_display().lower()})"
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append(
                    {"line": str(parsed.line), "slug": parsed.slug, "title": parsed.values["title"], "action": action}
                )
    _check_references(references, index, report)
    if not report.ok or dry_run or report.rows == 0:
        return report

    # Pass 2: write, in batches, in one transaction: any failure leaves the database as it was.
    with transaction.atomic():
        for batch in batched(_parsed_rows(file, report, lookups, limits, progress, "writing"), BATCH_SIZE):
            _write_batch([p for p in batch if isinstance(p, ParsedRow)], user=user)
        _write_reactions(references, user=user)
        report.written = True
    return report


def _check_references(
    references: list[tuple[int, str, int, frozenset[str]]], index: dict[str, int], report: ImportReport
) -> None:
    """Each responds_to slug names an event in the file or the database, dated no later than the row."""
    outside = {slug for *_, refs in references for slug in refs if slug not in index}
    dates: dict[str, int] = {}
    for chunk in batched(sorted(outside), BATCH_SIZE):
        dates.update(
            (slug, date.toordinal()) for slug, date in Event.objects.filter(slug__in=chunk).values_list("slug", "date")
        )
    for line, slug, date, refs in references:
        for ref in sorted(refs):
            ref_date = index.get(ref, dates.get(ref))
            if ref_date is None:
                report.add_error(RowError(line, slug, "responds_to", f"No event with the slug “{ref}”."))
            elif ref_date > date:
                report.add_error(
                    RowError(line, slug, "responds_to", f"“{ref}” is dated after this event: it cannot respond to it.")
                )


def _write_batch(batch: list[ParsedRow], *, user: Any) -> None:
    existing = _load_existing((p.slug for p in batch), lock=True)
    now = timezone.now()
    new: list[tuple[ParsedRow, Event]] = []
    changed: list[tuple[ParsedRow, Existing]] = []
    for parsed in batch:
        found = existing.get(parsed.slug)
        if found is None:
            event = Event(slug=parsed.slug, status=Event.Status.DRAFT, created_at=now, updated_at=now)
            _assign(event, parsed, keep_note=False)
            new.append((parsed, event))
        elif found.differs(parsed):
            if found.event.is_public:  # validated in pass 1; re-checked under the row lock
                raise ValidationError(f"{parsed.slug} was published during the import.")
            _assign(found.event, parsed, keep_note=True)
            found.event.version += 1  # an editor with this event open will be refused, not overwritten
            found.event.updated_at = now
            changed.append((parsed, found))
    history = {"default_user": user if getattr(user, "is_authenticated", False) else None}
    if new:
        bulk_create_with_history(
            [e for _, e in new], Event, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON, **history
        )
        # bulk_create sets pks on PostgreSQL and SQLite; look them up otherwise.
        if any(e.pk is None for _, e in new):
            ids = dict(Event.objects.filter(slug__in=[e.slug for _, e in new]).values_list("slug", "pk"))
            for _, event in new:
                event.pk = ids[event.slug]
    if changed:
        bulk_update_with_history(
            [found.event for _, found in changed],
            Event,
            [*EVENT_FIELDS, "version", "updated_at"],
            batch_size=BATCH_SIZE,
            default_change_reason=CHANGE_REASON,
            **history,
        )
    links: list[EventActor] = []
    sources: list[Source] = []
    stale_links: list[Any] = []
    for parsed, event, found in [(p, e, None) for p, e in new] + [(p, f.event, f) for p, f in changed]:
        for role, wanted, have in (
            (EventActor.Role.INITIATOR, parsed.initiators, found.initiators if found else frozenset()),
            (EventActor.Role.TARGET, parsed.targets, found.targets if found else frozenset()),
        ):
            links += [EventActor(event_id=event.pk, actor_id=a, role=role) for a in sorted(wanted - have)]
            if have - wanted:
                stale_links.append((event.pk, role, have - wanted))
        have_urls = found.source_urls if found else frozenset()
        sources += [
            Source(event_id=event.pk, url=url, publisher=_publisher(url), created_at=now, updated_at=now)
            for url in parsed.source_urls
            if url not in have_urls
        ]
    for event_id, role, actor_ids in stale_links:
        # A queryset delete sends post_delete for each row, so simple-history records each removal.
        EventActor.objects.filter(event_id=event_id, role=role, actor_id__in=actor_ids).delete()
    if links:
        bulk_create_with_history(
            links, EventActor, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON, **history
        )
    if sources:
        bulk_create_with_history(sources, Source, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON, **history)
    # Reactions of changed rows whose responds_to became empty (non-empty ones are in `references`).
    emptied = [f.event.pk for p, f in changed if not p.responds_to and f.responds_to]
    if emptied:
        Reaction.objects.filter(event_id__in=emptied).delete()


def _publisher(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")[:200]


def _write_reactions(references: list[tuple[int, str, int, frozenset[str]]], *, user: Any) -> None:
    """After every event of the file exists: set each row's reactions to exactly its responds_to."""
    history = {"default_user": user if getattr(user, "is_authenticated", False) else None}
    for chunk in batched(references, BATCH_SIZE):
        slugs = {slug for _, slug, _, refs in chunk for slug in (slug, *refs)}
        ids = dict(Event.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        wanted = {(ids[slug], ids[ref]) for _, slug, _, refs in chunk for ref in refs}
        event_ids = {ids[slug] for _, slug, _, _ in chunk}
        have = set(Reaction.objects.filter(event_id__in=event_ids).values_list("event_id", "responds_to_id"))
        for event_id, responds_to_id in have - wanted:
            Reaction.objects.filter(event_id=event_id, responds_to_id=responds_to_id).delete()
        new = [Reaction(event_id=e, responds_to_id=r) for e, r in sorted(wanted - have)]
        if new:
            now = timezone.now()
            for reaction in new:
                reaction.created_at = reaction.updated_at = now
            bulk_create_with_history(
                new, Reaction, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON, **history
            )


# --- the admin's two steps (preview, then import) keep the upload in a private temporary file ---
# Every stored file is deleted after its import, on cancel, when its check fails, when a new upload
# replaces it in the session, and at the latest IMPORT_UPLOAD_MAX_AGE_SECONDS after it was stored.

UPLOAD_DIR = Path(tempfile.gettempdir()) / "tension-timeline-imports"


class BoundedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: a file over IMPORT_MAX_UPLOAD_BYTES is skipped while it streams
    in (Django's handlers then discard what they had), so it is never stored; the view tells why."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.IMPORT_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _upload_path(token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad upload token")
    return UPLOAD_DIR / f"{token}.csv"


def store_upload(upload: Any) -> str:
    """Copy an uploaded file, chunk by chunk, to a private temporary file; returns its token."""
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    token = secrets.token_hex(16)
    try:
        with _upload_path(token).open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    except BaseException:
        discard_upload(token)
        raise
    return token


@contextmanager
def stored_upload(token: str) -> Iterator[IO[bytes]]:
    with _upload_path(token).open("rb") as file:
        yield file


def upload_exists(token: str) -> bool:
    return _upload_path(token).exists()


def discard_upload(token: str) -> None:
    _upload_path(token).unlink(missing_ok=True)


def purge_expired_uploads(*, now: float | None = None) -> int:
    """Delete stored uploads older than IMPORT_UPLOAD_MAX_AGE_SECONDS (a preview never imported or
    cancelled); returns how many. Called on each visit of the import page and by import_events."""
    if not UPLOAD_DIR.exists():
        return 0
    limit = (now or time.time()) - settings.IMPORT_UPLOAD_MAX_AGE_SECONDS
    removed = 0
    for path in UPLOAD_DIR.glob("*.csv"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by another request
    return removed
