"""Pass 1 of an import: every row parsed and validated, nothing written; errors with their line.

Only a slug → date index is kept for the whole file (for duplicate slugs and `responds_to`), and the
rows that respond to others; rows themselves are checked a batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError

from editorial.importing.columns import Lookups, RowForm
from editorial.importing.files import BATCH_SIZE, ImportLimits, Progress, read_rows
from editorial.importing.report import PREVIEW_ROWS, ImportReport, RowError
from events.batching import batched
from events.models import Event, EventActor, Reaction, Source, base_slug
from events.record import IMPORTED
from exports.csv import restore_cell

# The Event fields an import sets, and the CSV column each comes from (for error messages). The slug
# is the row's key, handled apart.
EVENT_FIELDS = {f.sets: f.name for f in IMPORTED if f.sets and f.sets != "slug"}
COMPARED_FIELDS = [f if f not in ("event_type", "location_country") else f + "_id" for f in EVENT_FIELDS]
# A row that responds to others: (line, slug, date ordinal, the slugs it responds to).
Reference = tuple[int, str, int, frozenset[str]]


@dataclass
class ParsedRow:
    line: int
    slug: str
    values: dict[str, Any]  # Event field name → value (event_type, location_country as objects)
    initiators: frozenset[int]
    targets: frozenset[int]
    responds_to: frozenset[str]
    source_urls: tuple[str, ...]


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
    assign_row(event, parsed, keep_note=True)
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


def assign_row(event: Event, parsed: ParsedRow, *, keep_note: bool) -> None:
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
        assign_row(probe, parsed, keep_note=True)
        return (
            any(getattr(probe, name) != getattr(self.event, name) for name in COMPARED_FIELDS)
            or parsed.initiators != self.initiators
            or parsed.targets != self.targets
            or parsed.responds_to != self.responds_to
            or not set(parsed.source_urls) <= self.source_urls
        )


def load_existing(slugs: Iterable[str], *, lock: bool = False) -> dict[str, Existing]:
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


def parsed_rows(
    file: IO[bytes], report: ImportReport, lookups: Lookups, limits: ImportLimits, progress: Progress | None, stage: str
) -> Iterator[ParsedRow | list[RowError]]:
    form = RowForm(lookups=lookups)
    for line, row in read_rows(file, report, limits, progress, stage):
        yield _parse(line, row, form)


def validate(
    file: IO[bytes], report: ImportReport, lookups: Lookups, limits: ImportLimits, progress: Progress | None
) -> list[Reference]:
    """Parse and validate every row; count what would happen. Returns the rows that respond to others."""
    index: dict[str, int] = {}  # slug → date ordinal of every row: duplicates and responds_to
    references: list[Reference] = []

    for batch in batched(parsed_rows(file, report, lookups, limits, progress, "validating"), BATCH_SIZE):
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
        existing = load_existing(p.slug for p in good)
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
                report.add_error(RowError(line, slug, "responds_to", f"No event with the slug “{ref}”."))
            elif ref_date > date:
                report.add_error(
                    RowError(line, slug, "responds_to", f"“{ref}” is dated after this event: it cannot respond to it.")
                )
