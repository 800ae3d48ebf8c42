from django.apps import AppConfig


class ReadersConfig(AppConfig):
    """The public pages and what draws them: timeline, event, tension window, map, embed. No models."""

    name = "readers"
