"""Pass 1 of an import: every row parsed and validated, nothing written; errors with their line.

Only a slug → date index is kept for the whole file (for duplicate slugs and `responds_to`), and the
rows that respond to others; rows themselves are checked a batch at a time, and so are their likely
duplicates in the record (events.duplicates), a warning for review, never an error (check_duplicates).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError

from editorial.importing.columns import Columns, DateColumn, RespondsToColumn, SlugColumn
from editorial.importing.columns.links import ActorsColumn
from editorial.importing.files import BATCH_SIZE, ImportLimits, Progress, read_rows
from editorial.importing.report import PREVIEW_ROWS, ImportReport, RowError
from events import duplicates
from events.batching import batched
from events.models import Event
from exports.csv import restore_cell

# A row's likely duplicates named in its warning, at most (a file of near-identical rows would otherwise
# fill the report with the same names).
DUPLICATES_LISTED = 3
# A row that responds to others: (line, slug, date ordinal, the slugs it responds to).
Reference = tuple[int, str, int, frozenset[str]]


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]  # column identifier → cleaned value

    @property
    def slug(self) -> str:
        return self.values[SlugColumn.identifier]


def _parse(line: int, row: dict[str, str], columns: Columns) -> ParsedRow | list[RowError]:
    # The export neutralises cells that a spreadsheet would run as a formula ('=…): undo it here.
    cells = {key: restore_cell(value or "") for key, value in row.items() if key is not None}
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for column in columns.cleaning_order:
        try:
            values[column.identifier] = column.clean(cells.get(column.identifier, ""), values)
        except ValidationError as exc:
            errors[column.identifier] = exc.messages
    if not errors:
        return ParsedRow(line, values)
    slug = cells.get(SlugColumn.identifier, "").strip()
    return [
        RowError(line, slug, column.identifier, message)
        for column in columns.all
        for message in errors.get(column.identifier, [])
    ]


def assign_row(event: Event, parsed: ParsedRow, columns: Columns) -> None:
    for column in columns.fields:
        column.assign(parsed.values[column.identifier], event)
    event.fill_derived()


def row_event(parsed: ParsedRow, columns: Columns, existing: Event | None) -> Event:
    """A draft holding the row's values over the existing event's (where an empty cell keeps them):
    what the model checks, and what is compared with the event."""
    held = {field.attname: getattr(existing, field.attname) for field in columns.updated} if existing else {}
    event = Event(status=Event.Status.DRAFT, **held)
    assign_row(event, parsed, columns)
    return event


def _model_errors(parsed: ParsedRow, event: Event, columns: Columns) -> list[RowError]:
    """The model's own invariants (Event.clean: dates, coordinates, escalation note…) on the new values."""
    try:
        # Constraints and uniqueness are left to the database and to the slug index of pass 1.
        event.full_clean(exclude=columns.checked_by_column, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [
            RowError(parsed.line, parsed.slug, columns.by_field.get(name, name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def row_entry(parsed: ParsedRow, event: Event, columns: Columns, saved: Event | None) -> duplicates.Entry:
    """The row as the duplicate rule reads it: the event it makes, with the file's actors."""
    actors = frozenset(
        (actor_id, column.role)
        for column in columns.links
        if isinstance(column, ActorsColumn)
        for actor_id in parsed.values[column.identifier]
    )
    return duplicates.Entry(
        slug=parsed.slug,
        title=event.title,
        date=event.date,
        event_type_id=event.event_type_id,
        actors=actors,
        pk=saved.pk if saved else None,
    )


def check_duplicates(rows: list[tuple[ParsedRow, duplicates.Entry]], report: ImportReport, columns: Columns) -> None:
    """A warning for each row with likely duplicates in the record, not marked, naming the first few: a
    warning, not an error, even for a row with another event's very title, date and type. The file's key
    is the slug; whether two events are one is an editor's call, which publishing asks for (the workflow
    refuses to publish a likely duplicate of a published event without a reason)."""
    # One more than are named, to know whether there are more.
    found = duplicates.likely_duplicates_in_record(entries=[entry for _, entry in rows], most=DUPLICATES_LISTED + 1)
    for (parsed, _), pending in zip(rows, found, strict=True):
        if not pending:
            continue
        listed = "; ".join(f"{d} ({d.event.slug})" for d in pending[:DUPLICATES_LISTED])
        more = "; and more" if len(pending) > DUPLICATES_LISTED else ""
        report.add_warning(
            RowError(
                parsed.line,
                parsed.slug,
                columns.by_field["title"],
                f"It looks like a duplicate of {listed}{more}: see to it before publishing.",
            )
        )


@dataclass
class Existing:
    event: Event
    stored: dict[str, frozenset]  # list column identifier → what the database holds

    def differs(self, parsed: ParsedRow, columns: Columns, probe: Event | None = None) -> bool:
        """Whether the row would change the event (its `row_event`, if already made, is the probe)."""
        probe = probe or row_event(parsed, columns, self.event)
        return any(getattr(probe, f.attname) != getattr(self.event, f.attname) for f in columns.updated) or any(
            column.differs(parsed.values[column.identifier], self.stored[column.identifier]) for column in columns.links
        )


def load_existing(slugs: Iterable[str], columns: Columns, *, lock: bool = False) -> dict[str, Existing]:
    events_qs = Event.objects.filter(slug__in=list(slugs)).select_related("event_type")
    if lock:
        events_qs = events_qs.select_for_update(of=("self",))
    events = {event.pk: event for event in events_qs}
    if not events:
        return {}
    stored = {column.identifier: column.stored(list(events)) for column in columns.links}
    return {
        event.slug: Existing(event, {name: held[pk] for name, held in stored.items()}) for pk, event in events.items()
    }


def parsed_rows(
    file: IO[bytes], report: ImportReport, columns: Columns, limits: ImportLimits, progress: Progress | None, stage: str
) -> Iterator[ParsedRow | list[RowError]]:
    for line, row in read_rows(file, report, limits, progress, stage):
        yield _parse(line, row, columns)


def validate(
    file: IO[bytes], report: ImportReport, columns: Columns, limits: ImportLimits, progress: Progress | None
) -> list[Reference]:
    """Parse and validate every row; count what would happen. Returns the rows that respond to others."""
    index: dict[str, int] = {}  # slug → date ordinal of every row: duplicates and responds_to
    references: list[Reference] = []

    for batch in batched(parsed_rows(file, report, columns, limits, progress, "validating"), BATCH_SIZE):
        good = []
        for parsed in batch:
            report.rows += 1
            if isinstance(parsed, list):
                for error in parsed:
                    report.add_error(error)
                continue
            if parsed.slug in index:
                report.add_error(
                    RowError(parsed.line, parsed.slug, SlugColumn.identifier, "This slug appears twice in the file.")
                )
                continue
            index[parsed.slug] = parsed.values[DateColumn.identifier].date.toordinal()
            responds_to = parsed.values[RespondsToColumn.identifier]
            if responds_to:
                references.append((parsed.line, parsed.slug, index[parsed.slug], responds_to))
            good.append(parsed)
        existing = load_existing((p.slug for p in good), columns)
        changing: list[tuple[ParsedRow, duplicates.Entry]] = []  # the new and updated rows
        for parsed in good:
            found = existing.get(parsed.slug)
            event = row_event(parsed, columns, found.event if found else None)
            errors = _model_errors(parsed, event, columns)
            if errors:
                for error in errors:
                    report.add_error(error)
                continue
            action = "new draft"
            if found is None:
                report.created += 1
                changing.append((parsed, row_entry(parsed, event, columns, None)))
            elif not found.differs(parsed, columns, event):
                report.unchanged += 1
                action = "unchanged"
            elif found.event.is_public:
                report.add_error(
                    RowError(
                        parsed.line,
                        parsed.slug,
                        SlugColumn.identifier,
                        f"“{parsed.slug}” is {found.event.get_status_display().lower()}: an import does not change "
                        "what readers see. Edit it in the admin, or give this row a new slug.",
                    )
                )
                continue
            else:
                report.updated += 1
                action = f"update ({found.event.get_status_display().lower()})"
                changing.append((parsed, row_entry(parsed, event, columns, found.event)))
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append(
                    {"line": str(parsed.line), "slug": parsed.slug, "title": event.title, "action": action}
                )
        check_duplicates(changing, report, columns)
    _check_references(references, index, report)
    return references


def _check_references(references: list[Reference], index: dict[str, int], report: ImportReport) -> None:
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
                report.add_error(RowError(line, slug, RespondsToColumn.identifier, f"No event with the slug “{ref}”."))
            elif ref_date > date:
                report.add_error(
                    RowError(
                        line,
                        slug,
                        RespondsToColumn.identifier,
                        f"“{ref}” is dated after this event: it cannot respond to it.",
                    )
                )
