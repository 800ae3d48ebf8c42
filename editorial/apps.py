from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """The editors' side: the admin (entry, review, publishing) and the CSV import."""

    name = "editorial"
