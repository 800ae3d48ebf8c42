from django.apps import AppConfig
from django.db.models.signals import post_migrate


def install_export_lists(*, using: str, **kwargs) -> None:
    """After every migrate: the COPY path's joined lists, as the record now describes them (PostgreSQL)."""
    from django.db import connections

    from events.db import export_lists

    if connections[using].vendor == "postgresql":
        export_lists.install(using)


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Tension record"

    def ready(self) -> None:
        post_migrate.connect(install_export_lists, sender=self)
