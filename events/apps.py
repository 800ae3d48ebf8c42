from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Tension record"

    def ready(self) -> None:
        # The export lists' triggers are generated from the record, and the latest changes' sit on the
        # revision history's tables, which django-simple-history makes: both need the models loaded, so
        # they are declared here rather than in the models' Meta (events/db/export_lists.py,
        # latest_change.py), and installed by the migrations makemigrations writes from them, like every
        # other trigger.
        from events.db import any_of, export_lists, latest_change  # noqa: F401  (any_of registers its lookup)

        export_lists.register()
        latest_change.register()
