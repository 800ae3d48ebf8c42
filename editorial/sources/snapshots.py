"""Keeping what a fetch of a source's page found (editorial.models.SourceSnapshot).

A snapshot is one state of the page: a fetch that finds the page as the latest snapshot has it only
moves that snapshot's `checked_at`; anything else adds a snapshot saying what it found:

- moved:   the page answered at another address than the source's URL (after redirects);
- changed: its main text is not the text of the latest copy found as kept (the baseline);
- gone:    its server answered 404 or 410, or its host name no longer exists (no text kept);
- ok:      as kept (a first fetch, or a page back as it was).

An editor's own fetch of a saved source ("Fill from the page") is the editor confirming the page as it
is now: it is never "changed", and becomes the baseline later checks compare with.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from editorial.models import Finding, SourceSnapshot
from editorial.sources.extract import Found, read
from editorial.sources.fetch import Page, PageGone, fetch
from events.models import Source


@dataclass(frozen=True)
class LookUp:
    """What a page says about itself, and the snapshot kept of it (None when none was)."""

    page: Page
    found: Found
    kept: SourceSnapshot | None


def look_up(url: str, *, source: Source | None = None) -> LookUp:
    """Fetch and read the page at `url` (FetchError if it cannot be); when it is the saved source's own
    URL, keep a snapshot confirmed by the editor. Nothing is written when the fetch fails."""
    page = fetch(url)
    found = read(page)
    kept = None
    if source is not None and source.pk and source.url == url:
        kept = keep(source=source, page=page, found=found, confirmed=True)
    return LookUp(page=page, found=found, kept=kept)


def keep(*, source: Source, page: Page, found: Found, confirmed: bool) -> SourceSnapshot:
    """Keep what a fetch of the source's page that answered found."""
    snapshot = SourceSnapshot(
        source=source,
        url=page.url,
        final_url=page.final_url,
        http_status=page.status,
        finding=finding_for(source=source, page=page, found=found, confirmed=confirmed),
        fetched_at=page.fetched_at,
        checked_at=page.fetched_at,
        text=found.text,
        text_sha256=found.text_sha256,
        language=found.language,
    )
    return record(snapshot)


def keep_gone(*, source: Source, url: str, gone: PageGone, at: datetime.datetime) -> SourceSnapshot:
    """Keep that the source's page was found gone: what its server answered, and no text."""
    snapshot = SourceSnapshot(
        source=source,
        url=url,
        final_url=gone.final_url,
        http_status=gone.status,
        finding=Finding.GONE,
        fetched_at=at,
        checked_at=at,
    )
    return record(snapshot)


def finding_for(*, source: Source, page: Page, found: Found, confirmed: bool) -> Finding:
    if page.final_url != page.url:
        return Finding.MOVED
    if confirmed:
        return Finding.OK
    baseline = source.snapshots.filter(url=page.url, finding=Finding.OK).latest_first().first()
    if baseline is not None and baseline.text_sha256 != found.text_sha256:
        return Finding.CHANGED
    return Finding.OK


# What makes two snapshots the same state of the page.
STATE_FIELDS = ("url", "final_url", "http_status", "finding", "text_sha256")


@transaction.atomic
def record(snapshot: SourceSnapshot) -> SourceSnapshot:
    """Add the snapshot, or, when the latest one is the same state, move that one's checked_at."""
    latest = SourceSnapshot.objects.filter(source=snapshot.source).latest_first().select_for_update().first()
    if latest is not None and all(getattr(latest, name) == getattr(snapshot, name) for name in STATE_FIELDS):
        latest.checked_at = max(snapshot.checked_at, latest.checked_at)
        latest.save(update_fields=["checked_at"])
        return latest
    snapshot.full_clean()
    snapshot.save()
    return snapshot


def archive(snapshot: SourceSnapshot) -> SourceSnapshot:
    """Submit the kept page to the public web archive the operator configured (SOURCE_ARCHIVE_URL) and
    record where the archive keeps it; FetchError when the archive did not take it."""
    page = fetch(f"{settings.SOURCE_ARCHIVE_URL}{snapshot.final_url}")
    snapshot.archive_url = page.final_url
    snapshot.full_clean()
    snapshot.save(update_fields=["archive_url"])
    return snapshot


def needs_archiving(snapshot: SourceSnapshot) -> bool:
    return bool(settings.SOURCE_ARCHIVE_URL) and snapshot.keeps_text and not snapshot.archive_url
