from django.core.management.base import BaseCommand

from events.roles import ensure_roles


class Command(BaseCommand):
    help = "Create or update the Editor and Publisher groups and their permissions (safe to re-run)."

    def handle(self, *args, **options):
        for name, count in ensure_roles().items():
            self.stdout.write(self.style.SUCCESS(f"{name}: {count} permissions"))
