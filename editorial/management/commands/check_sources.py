import datetime
import re
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from editorial.models import Finding
from editorial.sources import checks

DURATION = re.compile(r"^(\d+)([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}
UNREAD = "could not be read"


def duration(value: str) -> datetime.timedelta:
    """ "30m", "12h", "7d" or "0"."""
    if value == "0":
        return datetime.timedelta(0)
    match = DURATION.match(value.strip())
    if not match:
        raise CommandError(f"--since {value!r}: give minutes, hours or days (30m, 12h, 7d), or 0 for every source.")
    return datetime.timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = (
        "Fetch every source's page again and keep what changed: moved, gone (404, 410, or its host no longer "
        "exists), changed (its main text differs from the copy kept). A few hosts at once, one page at a time per "
        "host; sources checked within --since are skipped, so an interrupted run is finished by the next."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            default="24h",
            help="Skip sources checked within this long: 30m, 12h, 7d, or 0 to check every source (default 24h).",
        )
        parser.add_argument("--limit", type=int, help="Check at most this many sources (the longest unchecked first).")

    def handle(self, *args, since: str, limit: int | None, verbosity: int, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        sources = checks.due(checked_before=timezone.now() - duration(since), limit=limit)
        counts: Counter[str] = Counter()
        for report in checks.check(sources):
            counts[report.finding or UNREAD] += 1
            if report.error:
                self.stdout.write(f"{self.style.ERROR(UNREAD)}  {report.name}: {report.error}")
            elif report.finding != Finding.OK or verbosity > 1:
                style = self.style.SUCCESS if report.finding == Finding.OK else self.style.WARNING
                self.stdout.write(f"{style(Finding(report.finding).label):<10} {report.name}: {self.detail(report)}")
            if report.archive_error:
                self.stdout.write(f"{self.style.WARNING('not archived')}  {report.name}: {report.archive_error}")
        found = ", ".join(f"{counts[finding]} {finding.label}" for finding in Finding)
        self.stdout.write(f"{len(sources)} source(s) checked: {found}; {counts[UNREAD]} {UNREAD}.")

    def detail(self, report: checks.Report) -> str:
        snapshot = report.snapshot
        if report.finding == Finding.MOVED:
            return f"{report.url} is now at {snapshot.final_url}"
        if report.finding == Finding.GONE:
            answer = f"answered {snapshot.http_status}" if snapshot.http_status else "no longer resolves"
            return f"{report.url} {answer}"
        if report.finding == Finding.CHANGED:
            return f"the text at {report.url} differs from the copy kept"
        return report.url
