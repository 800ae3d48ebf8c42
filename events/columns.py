"""The columns of the CSV export, which the admin's CSV import reads back in the same shape.

Several values in one cell are joined by MULTI_VALUE_SEPARATOR. Every value the import needs to
re-create an event is here (escalation_note and verification included), so an exported row imports
back under its own slug or a new one.
"""

EXPORT_COLUMNS: list[str] = [
    "id",
    "slug",
    "date",
    "date_precision",
    "end_date",
    "title",
    "summary",
    "event_type",
    "category",
    "escalation",
    "escalation_note",
    "verification",
    "initiators",
    "targets",
    "country",
    "location",
    "latitude",
    "longitude",
    "responds_to",
    "source_urls",
    "status",
    "retraction_note",
    "updated_at",
    "url",
]

MULTI_VALUE_SEPARATOR = "; "
