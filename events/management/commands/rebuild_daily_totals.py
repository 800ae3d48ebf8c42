"""Recompute the per-day totals (DailyTotal) from the events, or check them with --check.

The triggers keep the totals right on every write; this is for after a restore that bypassed them
(e.g. a data-only dump loaded with triggers disabled) or to verify.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from events import summary


class Command(BaseCommand):
    help = "Recompute the per-day totals from the events (or, with --check, report where they differ)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Only compare; exit 1 if the totals differ.")

    def handle(self, *args, check: bool = False, **options) -> None:
        if check:
            problems = summary.mismatches()
            if problems:
                shown = "\n".join(problems[:20])
                raise CommandError(f"{len(problems)} per-day totals differ from the events:\n{shown}")
            self.stdout.write("The per-day totals match the events.")
            return
        rows = summary.rebuild()
        self.stdout.write(f"Rebuilt the per-day totals: {rows} rows.")
