from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Tension record"

    def ready(self) -> None:
        # The export lists' triggers are generated from the record, which needs the models loaded: they
        # are declared here rather than in the models' Meta (events/db/export_lists.py), and installed by
        # the migrations makemigrations writes from them, like every other trigger.
        from events.db import any_of, export_lists  # noqa: F401  (any_of registers its lookup)

        export_lists.register()
