from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from events.demo import DEMO_FILE, load_demo_record
from events.models import Event


class Command(BaseCommand):
    help = "Load the curated Baltic demo record (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEMO_FILE), help="A demo record in the baltic.json format.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds events."
        )
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Also create the demo login admin/admin (only with DEBUG on, only when no user exists).",
        )

    def handle(self, *args, file: str, if_empty: bool, with_users: bool, **options):
        if if_empty and Event.objects.exists():
            self.stdout.write("The database already holds events: demo record not loaded.")
        else:
            try:
                report = load_demo_record(Path(file))
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"Cannot load {file}: {exc}") from exc
            self.stdout.write(self.style.SUCCESS(str(report)))
        if with_users:
            self._demo_users()

    def _demo_users(self) -> None:
        User = get_user_model()
        if not settings.DEBUG:
            raise CommandError("Demo logins are for a local demo only: refusing with DEBUG off.")
        if User.objects.exists():
            return
        User.objects.create_superuser("admin", "admin@example.invalid", "admin")
        self.stdout.write(self.style.WARNING("Demo login for /admin/: admin / admin (local demo only)."))
