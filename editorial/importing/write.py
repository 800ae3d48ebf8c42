"""Pass 2 of an import: the validated file written in batches, in one transaction, with history."""

from __future__ import annotations

from typing import IO, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from editorial.importing.columns import Lookups
from editorial.importing.files import BATCH_SIZE, ImportLimits, Progress
from editorial.importing.plan import (
    EVENT_FIELDS,
    Existing,
    ParsedRow,
    Reference,
    assign_row,
    load_existing,
    parsed_rows,
)
from editorial.importing.report import ImportReport
from events.batching import batched
from events.models import Event, EventActor, Reaction, Source

CHANGE_REASON = "CSV import"


def write(
    file: IO[bytes],
    report: ImportReport,
    lookups: Lookups,
    references: list[Reference],
    limits: ImportLimits,
    progress: Progress | None,
    *,
    user: Any,
) -> None:
    """Write, in batches, in one transaction: any failure leaves the database as it was."""
    with transaction.atomic():
        for batch in batched(parsed_rows(file, report, lookups, limits, progress, "writing"), BATCH_SIZE):
            _write_batch([p for p in batch if isinstance(p, ParsedRow)], user=user)
        _write_reactions(references, user=user)
        report.written = True


def _write_batch(batch: list[ParsedRow], *, user: Any) -> None:
    existing = load_existing((p.slug for p in batch), lock=True)
    now = timezone.now()
    new: list[tuple[ParsedRow, Event]] = []
    changed: list[tuple[ParsedRow, Existing]] = []
    for parsed in batch:
        found = existing.get(parsed.slug)
        if found is None:
            event = Event(slug=parsed.slug, status=Event.Status.DRAFT, created_at=now, updated_at=now)
            assign_row(event, parsed, keep_note=False)
            new.append((parsed, event))
        elif found.differs(parsed):
            if found.event.is_public:  # validated in pass 1; re-checked under the row lock
                raise ValidationError(f"{parsed.slug} was published during the import.")
            assign_row(found.event, parsed, keep_note=True)
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


def _write_reactions(references: list[Reference], *, user: Any) -> None:
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
