"""manage.py load_inbox_mappings: the inbox's default mappings for the Baltic record (inbox/defaults.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from inbox.defaults import load_defaults


class Command(BaseCommand):
    help = (
        "Load the inbox's default mappings (CAMEO actor codes, ACLED types) for the Baltic record. "
        "Re-runnable: adds what is missing, leaves editors' changes alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_defaults()
        self.stdout.write(f"{loaded.added} mapping(s) added.")
        for missing in loaded.missing:
            self.stdout.write(self.style.WARNING(f"Not in the record, not mapped: {missing}."))
