"""Pass 2 of an import: the validated file written in batches, in one transaction, with history."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from editorial.importing.columns import Columns, Link
from editorial.importing.files import BATCH_SIZE, ImportLimits, Progress
from editorial.importing.plan import Existing, ParsedRow, Reference, assign_row, load_existing, parsed_rows
from editorial.importing.report import ImportReport
from events.batching import batched
from events.models import Event, Reaction

CHANGE_REASON = "CSV import"


def write(
    file: IO[bytes],
    report: ImportReport,
    columns: Columns,
    references: list[Reference],
    limits: ImportLimits,
    progress: Progress | None,
    *,
    user: Any,
) -> None:
    """Write, in batches, in one transaction: any failure leaves the database as it was."""
    author = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        for batch in batched(parsed_rows(file, report, columns, limits, progress, "writing"), BATCH_SIZE):
            _write_batch([p for p in batch if isinstance(p, ParsedRow)], columns, author=author)
        _write_reactions(references, author=author)
        report.written = True


def _create(rows: list[Model], *, author: Any) -> None:
    """Insert in bulk, each row in the revision history."""
    bulk_create_with_history(
        rows, type(rows[0]), batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON, default_user=author
    )


def _write_batch(batch: list[ParsedRow], columns: Columns, *, author: Any) -> None:
    existing = load_existing((p.slug for p in batch), columns, lock=True)
    now = timezone.now()
    new: list[tuple[ParsedRow, Event]] = []
    changed: list[tuple[ParsedRow, Existing]] = []
    for parsed in batch:
        found = existing.get(parsed.slug)
        if found is None:
            event = Event(status=Event.Status.DRAFT, created_at=now, updated_at=now)
            assign_row(event, parsed, columns)
            new.append((parsed, event))
        elif found.differs(parsed, columns):
            if found.event.is_public:  # validated in pass 1; re-checked under the row lock
                raise ValidationError(f"{parsed.slug} was published during the import.")
            assign_row(found.event, parsed, columns)
            found.event.version += 1  # an editor with this event open will be refused, not overwritten
            found.event.updated_at = now
            changed.append((parsed, found))
    if new:
        _create([e for _, e in new], author=author)
        # bulk_create sets pks on PostgreSQL and SQLite; look them up otherwise.
        if any(e.pk is None for _, e in new):
            ids = dict(Event.objects.filter(slug__in=[e.slug for _, e in new]).values_list("slug", "pk"))
            for _, event in new:
                event.pk = ids[event.slug]
    if changed:
        bulk_update_with_history(
            [found.event for _, found in changed],
            Event,
            [*(field.name for field in columns.updated), "version", "updated_at"],
            batch_size=BATCH_SIZE,
            default_change_reason=CHANGE_REASON,
            default_user=author,
        )
    written = [(p, e, None) for p, e in new] + [(p, f.event, f) for p, f in changed]
    links = {
        column: [
            Link(event.pk, parsed.values[column.identifier], found.stored[column.identifier] if found else frozenset())
            for parsed, event, found in written
        ]
        for column in columns.links
    }
    # Every removal first (a queryset delete sends post_delete for each row, so simple-history records
    # each), then every addition.
    for column, column_links in links.items():
        for stale in column.links_to_remove(column_links):
            stale.delete()
    for column, column_links in links.items():
        added = column.links_to_add(column_links, now=now)
        if added:
            _create(added, author=author)


def _write_reactions(references: list[Reference], *, author: Any) -> None:
    """After every event of the file exists: set each row's reactions to exactly its responds_to."""
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
            _create(new, author=author)
