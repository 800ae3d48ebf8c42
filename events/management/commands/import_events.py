"""manage.py import_events FILE: the admin's CSV import for files too large for a web request.

The same checks (encoding, header, columns, cell and line lengths, every row validated first) and the
same all-or-nothing rule, without the upload size limit; rows up to IMPORT_COMMAND_MAX_ROWS. A
progress bar on stderr while the file is validated, then written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from editorial import importing

BAR_WIDTH = 30
ERRORS_SHOWN = 50


class ProgressBar:
    """`validating [##########--------------------]  33%` redrawn in place on a terminal, one line per
    stage elsewhere (a log keeps only where each stage ended)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.shown: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = 100 if total == 0 else min(100, done * 100 // total)
        if self.shown == (stage, percent):
            return
        if self.live or percent == 100:
            filled = BAR_WIDTH * percent // 100
            bar = f"{stage:>10} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {percent:3d}%"
            self.stream.write(("\r" + bar + ("\n" if percent == 100 else "")) if self.live else bar + "\n")
            self.stream.flush()
        self.shown = (stage, percent)


class Command(BaseCommand):
    help = "Import events from a CSV file in the export's columns: validated whole, then written all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, the columns of /export.csv)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument("--user", help="username recorded as the author in the revision history")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, file: Path, dry_run: bool, user: str | None, no_progress: bool, **options) -> None:
        author = None
        if user:
            try:
                author = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named “{user}”.") from None
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        importing.purge_expired_uploads()
        progress = None if no_progress else ProgressBar(sys.stderr)
        with file.open("rb") as stream:
            report = importing.import_events(
                file=stream,
                user=author,
                dry_run=dry_run,
                limits=importing.ImportLimits.for_command(),
                progress=progress,
            )
        for error in report.errors[:ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if report.error_count > ERRORS_SHOWN:
            self.stderr.write(f"… {report.error_count} errors in all.")
        if not report.ok:
            raise CommandError(report.summary)
        self.stdout.write(report.summary)
