"""The import's columns, one class each, as pretix's ImportColumn: each cleans its cell and assigns it.

Every column derives from the record's description of its field (events/record.py): `parse` is the
form field that reads the cell, `sets` the Event field it sets; lengths, choices and validators come
from the model. A column that only sets its field is made from that description alone (FieldColumn,
or ForeignKeyColumn for a type or a country); a column with a rule of its own is a class below. The
list columns (actors, reactions, sources) are rows linked to the event: a LinkColumn also loads what
the database holds and says which rows to add or remove.

Per import, each column is made once (lookups are loaded then, not per row); per row, the plan calls
clean(value, previous_values) on each column in cleaning order, then assign(value, event).

base.py holds ImportColumn and the columns made from the record; fields.py the other columns that set
an Event field; links.py the list columns. Here: one class per column, and one import's columns.
"""

from __future__ import annotations

from editorial.importing.columns.base import RECORD_FIELDS, FieldColumn, ForeignKeyColumn, ImportColumn
from editorial.importing.columns.fields import CountryColumn, DateColumn, DatePrecisionColumn, SlugColumn
from editorial.importing.columns.links import (
    InitiatorsColumn,
    Link,
    LinkColumn,
    RespondsToColumn,
    SourceUrlsColumn,
    TargetsColumn,
)
from events.models import Event

__all__ = [
    "COLUMN_CLASSES",
    "Columns",
    "DateColumn",
    "ImportColumn",
    "Link",
    "RespondsToColumn",
    "SlugColumn",
    "cleaning_order",
]

OWN_CLASSES: tuple[type[ImportColumn], ...] = (
    SlugColumn,
    DateColumn,
    DatePrecisionColumn,
    CountryColumn,
    InitiatorsColumn,
    TargetsColumn,
    RespondsToColumn,
    SourceUrlsColumn,
)


def _made_from_record(name: str) -> type[ImportColumn]:
    """The class of a column that only sets its Event field: what the record says is all it needs."""
    model_field = Event._meta.get_field(RECORD_FIELDS[name].sets)
    base = ForeignKeyColumn if model_field.many_to_one else FieldColumn
    class_name = "".join(part.title() for part in name.split("_")) + "Column"
    return type(class_name, (base,), {"identifier": name, "__module__": __name__})


_OWN = {column.identifier: column for column in OWN_CLASSES}
# One class per column the record says the import reads, in the record's order.
COLUMN_CLASSES: list[type[ImportColumn]] = [_OWN.get(name) or _made_from_record(name) for name in RECORD_FIELDS]


def cleaning_order(classes: list[type[ImportColumn]]) -> list[type[ImportColumn]]:
    """The record's order, but each column after those its clean() reads (depends_on)."""
    ordered: list[type[ImportColumn]] = []
    pending = list(classes)
    while pending:
        done = {column.identifier for column in ordered}
        ready = next(column for column in pending if done.issuperset(column.depends_on))
        pending.remove(ready)
        ordered.append(ready)
    return ordered


class Columns:
    """The columns of one import, each made once: what the plan and the write go through."""

    def __init__(self) -> None:
        self.all = [column() for column in COLUMN_CLASSES]
        self.fields = [c for c in self.all if isinstance(c, FieldColumn)]
        self.links = [c for c in self.all if isinstance(c, LinkColumn)]
        # The fields an import updates: all but the key, which finds the row's event.
        self.updated = [c.model_field for c in self.fields if not isinstance(c, SlugColumn)]
        # Checked by their columns alone: the key's form, and the lookups (no query per row to re-check).
        self.checked_by_column = [
            c.model_field.name for c in self.fields if isinstance(c, SlugColumn | ForeignKeyColumn)
        ]
        self.by_field = {c.model_field.name: c.identifier for c in self.fields}  # model errors → column
        made = {type(column): column for column in self.all}
        self.cleaning_order = [made[column] for column in cleaning_order(COLUMN_CLASSES)]
