"""What every column is: ImportColumn, and the columns that set one Event field as the record says."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES
from django.db.models import Field, Model
from django.db.models.constants import LOOKUP_SEP

from events.models import Event
from events.record import IMPORTED, RecordField

RECORD_FIELDS = {f.name: f for f in IMPORTED}


def run_validators(value: Any, validators: Iterable) -> None:
    """Every validator on the value; all their messages in one ValidationError."""
    errors: list[ValidationError] = []
    for validator in validators:
        try:
            validator(value)
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)


def field_at(model: type[Model], path: str) -> Field:
    """The field an ORM path ends at: (Event, "event_type__slug") → EventType.slug."""
    *relations, name = path.split(LOOKUP_SEP)
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def unknown(key_field: Field, keys: Iterable[str]) -> ValidationError:
    """“No actor with the slug “x”.”, in the model's and the field's own names."""
    listed = ", ".join(f"“{key}”" for key in keys)
    return ValidationError(f"No {key_field.model._meta.verbose_name} with the {key_field.verbose_name} {listed}.")


class ImportColumn:
    """One column of the file: `identifier` is its record field's name."""

    identifier: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()  # the columns whose cleaned values clean() reads

    def __init__(self) -> None:
        self.record = self.record_field()
        self.parser = self.record.parse()

    @classmethod
    def record_field(cls) -> RecordField:
        return RECORD_FIELDS[cls.identifier]

    def clean(self, value: str, previous_values: dict[str, Any]) -> Any:
        """The cell's value, or ValidationError (reported with the row's line and this column)."""
        return self.parser.clean(value)

    def assign(self, value: Any, obj: Event) -> None:
        """Set the cleaned value on the event, before it is saved."""


class FieldColumn(ImportColumn):
    """A cell that sets one Event field: read by the record's form field, then checked by the model
    field's validators (the escalation scale, a coordinate's range)."""

    def __init__(self) -> None:
        super().__init__()
        self.model_field = Event._meta.get_field(self.record.sets)

    def clean(self, value: str, previous_values: dict[str, Any]) -> Any:
        cleaned = super().clean(value, previous_values)
        if cleaned not in EMPTY_VALUES:
            run_validators(cleaned, self.model_field.validators)
        return cleaned

    def assign(self, value: Any, obj: Event) -> None:
        if self.record.empty_keeps and value in EMPTY_VALUES:
            return
        setattr(obj, self.model_field.name, value)


class ForeignKeyColumn(FieldColumn):
    """A cell naming a row of a small table by what the export writes for it (the record's `read`
    path: a type by slug, a country by ISO code), looked up in memory: one query per import."""

    def __init__(self) -> None:
        super().__init__()
        self.key_field = field_at(Event, self.record.read)
        self.rows = {getattr(row, self.key_field.attname): row for row in self.key_field.model.objects.all()}

    def key(self, value: str) -> str:
        return value

    def clean(self, value: str, previous_values: dict[str, Any]) -> Model | None:
        key = self.key(super().clean(value, previous_values))
        if not key:
            return None
        try:
            return self.rows[key]
        except KeyError:
            raise unknown(self.key_field, [key]) from None
