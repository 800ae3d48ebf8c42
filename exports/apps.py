from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Every output format of the filtered view: CSV, Atom, GeoJSON, TimelineJS. No models."""

    name = "exports"
