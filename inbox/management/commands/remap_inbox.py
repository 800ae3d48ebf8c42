"""manage.py remap_inbox: the mappings as they are now, applied again to every new candidate."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from inbox.ingest import remap


class Command(BaseCommand):
    help = (
        "Propose types and actors again for every new candidate, from the mappings as they are now "
        "(after mapping a code the ingest reported as not mapped). Decided candidates are left alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count, unmapped = remap()
        self.stdout.write(f"{count} new candidate(s) mapped again.")
        for code, rows in unmapped.most_common():
            self.stdout.write(f"  not mapped, {code}: {rows} row(s)")
