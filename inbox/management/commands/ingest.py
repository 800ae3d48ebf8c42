"""manage.py ingest gdelt FILE_OR_URL… | manage.py ingest acled FILE: dataset rows become inbox candidates.

Each file is read as it streams (a progress bar on a terminal's stderr, nothing elsewhere), filtered to
the region's countries (and, if given, CAMEO roots or ACLED event types), and written all or nothing;
ingesting a file again adds nothing. A summary per file says what was read, kept, updated and skipped,
and which codes are not mapped. A bad file stops with its name and line, and nothing of it is kept.
"""

from __future__ import annotations

import sys
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.management.commands.import_events import ProgressBar
from inbox.datasets import BadFile
from inbox.files import Unopened, is_url, opened
from inbox.ingest import UnknownRegion, ingest
from inbox.models import Dataset

DEFAULT_REGION = "baltic"


class Command(BaseCommand):
    help = "Ingest GDELT 2.0 Event files or an ACLED CSV export into the editors' inbox, as candidates."

    def add_arguments(self, parser: CommandParser) -> None:
        datasets = parser.add_subparsers(dest="dataset", required=True, title="dataset")
        gdelt = datasets.add_parser("gdelt", help="GDELT 2.0 Event files (tab-separated, plain or zipped)")
        gdelt.add_argument("files", nargs="+", metavar="FILE_OR_URL", help="a path, or an http(s) URL")
        gdelt.add_argument(
            "--cameo-roots", default="", help="keep only these CAMEO root codes, comma-separated (e.g. 13,15,17)"
        )
        acled = datasets.add_parser("acled", help="an ACLED CSV export")
        acled.add_argument("files", nargs="+", metavar="FILE", help="a path")
        acled.add_argument(
            "--acled-types",
            default="",
            help="keep only these ACLED event types, comma-separated (e.g. 'Strategic developments')",
        )
        for sub in (gdelt, acled):
            sub.add_argument("--region", default=DEFAULT_REGION, help=f"the region's slug (default {DEFAULT_REGION})")
            sub.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, dataset: str, files: list[str], region: str, no_progress: bool, **options) -> None:
        only = [v.strip() for v in (options.get("cameo_roots") or options.get("acled_types") or "").split(",")]
        only = [v for v in only if v]
        for name in files:
            if dataset == Dataset.ACLED and is_url(name):
                raise CommandError(f"{name}: ACLED's export is read from a file, not a URL.")
            # A bar on a terminal only: a log or a cron mail gets the summary alone.
            live = sys.stderr.isatty() and not no_progress
            progress = partial(ProgressBar(sys.stderr), "reading") if live else None
            try:
                with opened(name) as file:
                    summary = ingest(
                        dataset=dataset, stream=file.stream, size=file.size, region=region, only=only, progress=progress
                    )
            except BadFile as error:
                raise CommandError(f"{name}, {error} Nothing of this file was kept.") from None
            except (Unopened, UnknownRegion) as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{name}:")
            for line in summary.lines():
                self.stdout.write(line)
