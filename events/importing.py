"""CSV import of events, in the columns of the CSV export (events/columns.py).

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
  the workflow). Optional extra columns: `escalation_note`, `verification`.
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

import csv
import datetime
import io
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .batching import batched
from .columns import EXPORT_COLUMNS, MULTI_VALUE_SEPARATOR
from .export import restore_cell
from .models import Actor, Country, Event, EventActor, EventType, Reaction, Source, base_slug

COLUMNS = EXPORT_COLUMNS
REQUIRED_COLUMNS = ["slug", "date", "title", "summary", "event_type"]
OPTIONAL_EXTRA_COLUMNS = ["escalation_note", "verification"]
BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 500
PREVIEW_ROWS = 20
CHANGE_REASON = "CSV import"

# The Event fields an import sets, and the CSV column each comes from (for error messages).
EVENT_FIELDS = {
    "title": "title",
    "date": "date",
    "date_precision": "date_precision",
    "end_date": "end_date",
    "summary": "summary",
    "event_type": "event_type",
    "escalation": "escalation",
    "escalation_note": "escalation_note",
    "verification": "verification",
    "location_country": "country",
    "location_name": "location",
    "latitude": "latitude",
    "longitude": "longitude",
}
COMPARED_FIELDS = [f if f not in ("event_type", "location_country") else f + "_id" for f in EVENT_FIELDS]


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


class RowForm(forms.Form):
    """One CSV row's cells, parsed and checked field by field (the model's clean() runs after)."""

    slug = forms.SlugField(max_length=200, required=False)
    date = forms.CharField()
    date_precision = forms.ChoiceField(choices=Event.Precision.choices, required=False)
    end_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    title = forms.CharField(max_length=200)
    summary = forms.CharField()
    event_type = forms.CharField()
    escalation = forms.DecimalField(max_digits=3, decimal_places=1, required=False)
    escalation_note = forms.CharField(required=False)
    verification = forms.ChoiceField(choices=Event.Verification.choices, required=False)
    country = forms.CharField(required=False)
    location = forms.CharField(max_length=200, required=False)
    latitude = forms.DecimalField(max_digits=8, decimal_places=5, required=False)
    longitude = forms.DecimalField(max_digits=8, decimal_places=5, required=False)
    initiators = forms.CharField(required=False)
    targets = forms.CharField(required=False)
    responds_to = forms.CharField(required=False)
    source_urls = forms.CharField(required=False)

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
        validate = URLValidator()
        for url in urls:
            if len(url) > 500:
                raise ValidationError(f"Too long (over 500 characters): “{url[:60]}…”.")
            try:
                validate(url)
            except ValidationError:
                raise ValidationError(f"Not a URL: “{url}”.") from None
        return tuple(dict.fromkeys(urls))


def _reader(file: IO[bytes], report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; a bad header is one error and no rows."""
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text)
        header = reader.fieldnames or []
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            report.add_error(RowError(1, "", "header", f"Missing column(s): {', '.join(missing)}."))
            return
        try:
            for row in reader:
                yield reader.line_num, row
        except (csv.Error, UnicodeDecodeError) as exc:
            report.add_error(RowError(reader.line_num, "", "file", f"Unreadable CSV: {exc}"))
    finally:
        text.detach()  # leave the underlying file open for the second pass


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


def _parsed_rows(file: IO[bytes], report: ImportReport, lookups: Lookups) -> Iterator[ParsedRow | list[RowError]]:
    form = RowForm(lookups=lookups)
    for line, row in _reader(file, report):
        yield _parse(line, row, form)


def import_events(*, file: IO[bytes], user: Any = None, dry_run: bool = False) -> ImportReport:
    """Validate the whole file, then (unless dry_run or any error) write it in one transaction."""
    report = ImportReport()
    lookups = Lookups()
    index: dict[str, int] = {}  # slug → date ordinal of every row: duplicates and responds_to
    references: list[tuple[int, str, int, frozenset[str]]] = []  # rows that respond to others

    # Pass 1: parse and validate everything; count what would happen.
    for batch in batched(_parsed_rows(file, report, lookups), BATCH_SIZE):
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
        for batch in batched(_parsed_rows(file, report, lookups), BATCH_SIZE):
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

UPLOAD_DIR = Path(tempfile.gettempdir()) / "tension-timeline-imports"


def _upload_path(token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad upload token")
    return UPLOAD_DIR / f"{token}.csv"


def store_upload(upload: Any) -> str:
    """Copy an uploaded file, chunk by chunk, to a private temporary file; returns its token."""
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    token = secrets.token_hex(16)
    with _upload_path(token).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


@contextmanager
def stored_upload(token: str) -> Iterator[IO[bytes]]:
    with _upload_path(token).open("rb") as file:
        yield file


def upload_exists(token: str) -> bool:
    return _upload_path(token).exists()


def discard_upload(token: str) -> None:
    _upload_path(token).unlink(missing_ok=True)
