from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The editors' inbox: rows of machine-coded event datasets (GDELT, ACLED) as candidates to review,
    never events by themselves."""

    name = "inbox"
