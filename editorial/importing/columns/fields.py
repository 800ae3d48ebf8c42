"""The columns with a rule of their own that set one Event field: the country, the date, its precision, the slug."""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError

from editorial.importing.columns.base import FieldColumn, ForeignKeyColumn
from events.models import Event, base_slug


class CountryColumn(ForeignKeyColumn):
    """ISO codes are stored upper case; a lower-case one is read as well."""

    identifier = "country"

    def key(self, value: str) -> str:
        return value.upper()


class DateCell(NamedTuple):
    date: datetime.date
    precision: str | None  # what the cell's form implies ("2024-03": month); None for a full date


class DateColumn(FieldColumn):
    """ISO dates; "2024-03" and "2024" are accepted too and imply their precision."""

    identifier = "date"
    FORMATS = (("%Y-%m-%d", None), ("%Y-%m", Event.Precision.MONTH), ("%Y", Event.Precision.YEAR))

    def clean(self, value: str, previous_values: dict[str, Any]) -> DateCell:
        text = super().clean(value, previous_values)
        for fmt, implied in self.FORMATS:
            try:
                return DateCell(datetime.datetime.strptime(text, fmt).date(), implied)
            except ValueError:
                continue
        raise ValidationError("Use an ISO date: 2024-03-08 (or 2024-03, or 2024).")

    def assign(self, value: DateCell, obj: Event) -> None:
        super().assign(value.date, obj)


class DatePrecisionColumn(FieldColumn):
    """An empty cell: the precision the date's form implies, else the model's default (day)."""

    identifier = "date_precision"
    depends_on = (DateColumn.identifier,)

    def clean(self, value: str, previous_values: dict[str, Any]) -> str:
        date = previous_values.get(DateColumn.identifier)
        return super().clean(value, previous_values) or (date and date.precision) or self.model_field.get_default()


class SlugColumn(FieldColumn):
    """The row's key. An empty cell gets the slug the title and date give, so that importing the row
    again finds the same event."""

    identifier = "slug"
    depends_on = ("title", DateColumn.identifier)

    def clean(self, value: str, previous_values: dict[str, Any]) -> str:
        slug = super().clean(value, previous_values)
        if slug or not all(name in previous_values for name in self.depends_on):
            return slug
        return base_slug(previous_values["title"], previous_values[DateColumn.identifier].date)
