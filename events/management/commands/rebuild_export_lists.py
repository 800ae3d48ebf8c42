"""Recompute the CSV export's joined lists (PostgreSQL) from the linked rows, or check them with --check.

The triggers keep them right on every write; this is for after a restore that bypassed them (e.g. a
data-only dump loaded with triggers disabled) or to verify. SQLite keeps no such lists: its export
reads the linked rows itself.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from events.db import export_lists


class Command(BaseCommand):
    help = "Recompute the CSV export's joined lists from the linked rows (or, with --check, compare them)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Only compare; exit 1 if the lists differ.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, check: bool = False, database: str = DEFAULT_DB_ALIAS, **options) -> None:
        if connections[database].vendor != "postgresql":
            self.stdout.write("Nothing to do: only PostgreSQL keeps the export's lists joined.")
            return
        if not export_lists.installed(database):
            raise CommandError("The export's lists' triggers are not installed as declared: run `manage.py migrate`.")
        if check:
            differing = export_lists.mismatches(database)
            if differing:
                shown = ", ".join(map(str, differing[:20]))
                raise CommandError(f"The lists of {len(differing)} events differ from their links (ids {shown}).")
            self.stdout.write("The export's lists match the linked rows.")
            return
        export_lists.rebuild(database)
        self.stdout.write("Rebuilt the export's lists.")
