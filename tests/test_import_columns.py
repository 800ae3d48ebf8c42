"""The CSV import's columns: one class per imported field of the record, each refusing what the model refuses.

The refused values are derived from the model's fields (blank, choices, lengths, validators, related
tables), not listed here: a new constraint on a field is a new case, whatever column reads it.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import (
    DecimalValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models

from editorial import importing
from editorial.importing.columns import COLUMN_CLASSES, Columns, ImportColumn, cleaning_order
from editorial.importing.columns.base import FieldColumn, field_at
from editorial.importing.columns.links import LinkColumn, RespondsToColumn
from events.models import Event
from events.record import IMPORTED, NAMES, RECORD
from tests import factories

BY_IDENTIFIER = {column.identifier: column for column in COLUMN_CLASSES}


def all_subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in (direct, *all_subclasses(direct))}


def test_each_imported_field_has_exactly_one_column_class():
    assert [column.identifier for column in COLUMN_CLASSES] == [f.name for f in IMPORTED]
    assert len(set(COLUMN_CLASSES)) == len(COLUMN_CLASSES)
    # No column class is left out of the import, nor made for a field the record does not import.
    assert {c for c in all_subclasses(ImportColumn) if "identifier" in vars(c)} == set(COLUMN_CLASSES)


def test_a_column_reads_only_columns_cleaned_before_it():
    for column in COLUMN_CLASSES:
        assert set(column.depends_on) <= set(BY_IDENTIFIER), column
    order = [column.identifier for column in cleaning_order(COLUMN_CLASSES)]
    for column in COLUMN_CLASSES:
        assert all(order.index(name) < order.index(column.identifier) for name in column.depends_on), column


def refused_values(field: models.Field) -> list[str]:
    """Cells the model refuses for this field, from what the field declares."""
    cases = [""] if not field.blank and not field.has_default() else []
    if field.many_to_one:
        return [*cases, "no-such-key"]  # no row of the related table has it
    if field.choices:
        cases.append("not-a-choice")
    if isinstance(field, models.DateField):
        cases.append("2024-13-45")
    step = Decimal(1).scaleb(-field.decimal_places) if isinstance(field, models.DecimalField) else 1
    padding = "https://example.com/" if isinstance(field, models.URLField) else ""
    for validator in field.validators:
        if isinstance(validator, MaxLengthValidator):
            cases.append(padding + "a" * (validator.limit_value + 1 - len(padding)))
        elif isinstance(validator, MinValueValidator):
            cases.append(str(validator.limit_value - step))
        elif isinstance(validator, MaxValueValidator):
            cases.append(str(validator.limit_value + step))
        elif isinstance(validator, DecimalValidator):
            places, digits = validator.decimal_places, validator.max_digits
            cases += ["0." + "1" * (places + 1), "9" * (digits - places + 1)]
        elif isinstance(validator, URLValidator):
            cases += [
                f"{scheme}://example.com/" for scheme in sorted(set(URLValidator.schemes) - set(validator.schemes))
            ]
        if isinstance(validator, RegexValidator):
            cases.append("not valid!")
    return list(dict.fromkeys(cases))


def model_field_of(column: type[ImportColumn]) -> models.Field:
    """The field the column's cells end up in: the Event field it sets, or for a list the linked rows'."""
    record = column.record_field()
    return Event._meta.get_field(record.sets) if record.sets else field_at(record.many.model, record.many.value)


CASES = [
    (column, value)
    for column in COLUMN_CLASSES
    if column is not RespondsToColumn  # its slugs may name later rows of the file: see the last test
    for value in refused_values(model_field_of(column))
    if value or not issubclass(column, LinkColumn)  # an empty list is no linked rows, not an empty one
]


@pytest.fixture
def columns(db) -> Columns:
    factories.country("LT")
    for name in ("NATO", "Russia", "United States"):
        factories.actor(name)
    return Columns()


@pytest.fixture
def example_values(columns) -> dict:
    """The record's example row, cleaned by the columns: what each column may read of the others."""
    examples = {f.name: f.example for f in RECORD}
    values: dict = {}
    for column in columns.cleaning_order:
        values[column.identifier] = column.clean(examples[column.identifier], values)
    return values


@pytest.mark.parametrize(("column_class", "value"), CASES, ids=[f"{c.identifier}={v[:20]!r}" for c, v in CASES])
def test_each_column_refuses_what_the_model_refuses(columns, example_values, column_class, value):
    field = model_field_of(column_class)
    if not field.many_to_one:
        with pytest.raises(ValidationError):
            field.clean(value, None)  # the case is one the model refuses
    column = next(c for c in columns.all if isinstance(c, column_class))
    try:
        cleaned = column.clean(value, example_values)
    except ValidationError:
        return
    # Not refused: then the column fills the empty cell with a value the model takes (the slug the
    # title and date give, the default precision).
    assert value == "" and isinstance(column, FieldColumn), f"{column.identifier} took {value!r}"
    event = Event()
    column.assign(cleaned, event)
    field.clean(getattr(event, field.attname), event)


def test_the_list_columns_are_the_records_lists(columns):
    assert {type(c) for c in columns.links} == {c for c in COLUMN_CLASSES if issubclass(c, LinkColumn)}
    assert {c.identifier for c in columns.links} == {f.name for f in IMPORTED if f.many}


def test_responds_to_is_refused_by_the_plan_when_no_row_nor_event_has_the_slug(columns, example_values):
    column = next(c for c in columns.all if isinstance(c, RespondsToColumn))
    assert column.clean("later-in-the-file", example_values) == {"later-in-the-file"}
    with pytest.raises(ValidationError):
        column.clean(example_values["slug"], example_values)  # an event cannot respond to itself
    row = {f.name: f.example for f in RECORD} | {"responds_to": "nowhere"}
    text = ",".join(NAMES) + "\n" + ",".join(f'"{row[name]}"' for name in NAMES) + "\n"
    report = importing.import_events(file=io.BytesIO(text.encode()), dry_run=True)
    assert ("responds_to", "No event with the slug “nowhere”.") in [(e.column, e.message) for e in report.errors]
