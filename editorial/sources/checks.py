"""Checking every source's page again (manage.py check_sources): moved, gone, changed, or as kept.

Bounded and polite: a few hosts are checked at once (WORKERS threads), each host's pages one after the
other, SOURCE_CHECK_HOST_DELAY_MS apart. Resumable: a run picks the sources not checked since a given
time, the longest unchecked first, so a run stopped half-way is finished by the next one. The threads
only fetch and read pages; every write happens in the calling thread, one source at a time, so a stopped
run loses at most the pages in flight. A page that cannot be read (a timeout, a server error, not HTML)
writes nothing: it is reported, and checked again on the next run.
"""

from __future__ import annotations

import datetime
import functools
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Max, Q
from django.utils import timezone

from editorial.models import SourceSnapshot
from editorial.sources import snapshots
from editorial.sources.extract import Found, read
from editorial.sources.fetch import FetchError, Page, PageGone, fetch
from events.models import Source

# How many hosts are checked at once.
WORKERS = 4


def due(*, checked_before: datetime.datetime, limit: int | None = None) -> list[Source]:
    """Sources with a URL not checked since `checked_before`: never checked first, then the longest ago.
    A source given another URL has not been checked at it."""
    sources = (
        Source.objects.exclude(url="")
        .annotate(last_checked=Max("snapshots__checked_at", filter=Q(snapshots__url=F("url"))))
        .filter(Q(last_checked__isnull=True) | Q(last_checked__lt=checked_before))
        .order_by(F("last_checked").asc(nulls_first=True), "id")
    )
    return list(sources[:limit] if limit is not None else sources)


@dataclass(frozen=True)
class Fetched:
    """What one fetch brought back from a worker thread: a page and what it says, a page gone, or an error."""

    source_id: int
    url: str
    page: Page | None = None
    found: Found | None = None
    gone: PageGone | None = None
    error: str = ""
    at: datetime.datetime | None = None


@dataclass(frozen=True)
class Report:
    """One source checked: what was found (None when the page could not be read, with the error)."""

    source_id: int
    name: str
    url: str
    finding: str | None
    snapshot: SourceSnapshot | None = None
    error: str = ""
    archive_error: str = ""


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or ''}"


def fetch_one(source_id: int, url: str) -> Fetched:
    at = timezone.now()
    try:
        page = fetch(url)
        return Fetched(source_id, url, page=page, found=read(page), at=at)
    except PageGone as gone:
        return Fetched(source_id, url, gone=gone, at=at)
    except FetchError as error:
        return Fetched(source_id, url, error=str(error), at=at)
    except Exception as error:  # one page that breaks the reader must not stop the check of the others
        return Fetched(source_id, url, error=f"could not be read ({type(error).__name__}: {error})", at=at)


def check_host(pages: list[tuple[int, str]], results: queue.Queue, stop: threading.Event) -> None:
    """One host's pages, one at a time, SOURCE_CHECK_HOST_DELAY_MS apart; one result each (or none once stopped)."""
    delay = settings.SOURCE_CHECK_HOST_DELAY_MS / 1000
    for n, (source_id, url) in enumerate(pages):
        if stop.is_set() or (n and stop.wait(delay)):
            return
        results.put(fetch_one(source_id, url))


def check(sources: list[Source]) -> Iterator[Report]:
    """Check these sources' pages and keep what was found; one Report per source, as each is done."""
    by_host: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for source in sources:
        by_host[host_of(source.url)].append((source.pk, source.url))
    results: queue.Queue[Fetched] = queue.Queue()
    stop = threading.Event()
    archive = Archive()
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(by_host) or 1)) as pool:
        for pages in by_host.values():
            pool.submit(check_host, pages, results, stop)
        try:
            for _ in sources:
                yield keep(results.get(), archive=archive)
        finally:
            stop.set()  # an interrupted run: the threads end after the fetch in hand


class Archive:
    """Submissions to the web archive, one at a time and SOURCE_CHECK_HOST_DELAY_MS apart: it is one host."""

    def __init__(self) -> None:
        self.last = 0.0

    def submit(self, snapshot: SourceSnapshot) -> str:
        """The archive's error, or "" once it took the page."""
        time.sleep(max(0.0, self.last + settings.SOURCE_CHECK_HOST_DELAY_MS / 1000 - time.monotonic()))
        try:
            snapshots.archive(snapshot)
        except (FetchError, ValidationError) as error:
            return str(error)
        finally:
            self.last = time.monotonic()
        return ""


def keep(fetched: Fetched, *, archive: Archive) -> Report:
    """Write what one fetch found (in this thread: the workers never touch the database)."""
    source = Source.objects.filter(pk=fetched.source_id).first()
    if source is None or source.url != fetched.url:
        # Deleted or given another URL while its page was being fetched: what was found is not its own.
        return Report(fetched.source_id, str(source or fetched.url), fetched.url, None, error="edited meanwhile")
    report = functools.partial(Report, source.pk, str(source), fetched.url)
    if fetched.error:
        return report(None, error=fetched.error)
    try:
        if fetched.gone:
            snapshot = snapshots.keep_gone(source=source, url=fetched.url, gone=fetched.gone, at=fetched.at)
        else:
            snapshot = snapshots.keep(source=source, page=fetched.page, found=fetched.found, confirmed=False)
    except ValidationError as error:
        return report(None, error=f"what was found cannot be kept: {' '.join(error.messages)}")
    archive_error = archive.submit(snapshot) if snapshots.needs_archiving(snapshot) else ""
    return report(snapshot.finding, snapshot=snapshot, archive_error=archive_error)
