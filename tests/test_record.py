"""The description of the public record (events/record.py) is the one source of every format: these tests
fail as soon as a format, the import or the documentation drifts from it."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.db import models
from django.template.loader import render_to_string

from editorial import importing
from events.models import Event
from events.record import IMPORTED, NAMES, RECORD, REQUIRED_COLUMNS, Kind
from exports import csv as export

pytestmark = pytest.mark.django_db

MODEL_FIELDS_OF_KIND = {
    Kind.NUMBER: (models.AutoField, models.BigAutoField, models.IntegerField, models.DecimalField),
    Kind.TEXT: (models.CharField, models.TextField),
    Kind.DATE: (models.DateField,),
    Kind.TIMESTAMP: (models.DateTimeField,),
}


def model_field(path: str) -> models.Field:
    model, field = Event, None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    return field


@pytest.mark.parametrize("record_field", [f for f in RECORD if f.read], ids=lambda f: f.name)
def test_each_field_reads_a_database_column_of_its_kind(record_field):
    field = model_field(record_field.read)
    assert isinstance(field, MODEL_FIELDS_OF_KIND[record_field.kind])
    if isinstance(field, models.DateTimeField):
        assert record_field.kind is Kind.TIMESTAMP  # a DateTimeField is a DateField too


def test_names_are_unique_and_every_field_is_documented_with_an_example_kind():
    assert len(NAMES) == len(set(NAMES))
    for f in RECORD:
        assert f.doc.strip(), f.name
        assert (f.kind is Kind.LIST) == (f.many is not None), f.name
        assert bool(f.read) != (f.kind in (Kind.LIST, Kind.EVENT_URL)), f.name


def test_the_csv_header_is_the_record(client, record):
    raw = b"".join(client.get("/export.csv?include_retracted=on").streaming_content).decode()
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == NAMES
    assert all(len(row) == len(NAMES) for row in rows)
    assert export.header_line().decode().strip() == ",".join(NAMES)


def test_every_cell_is_written_as_its_kind(client, record):
    raw = b"".join(client.get("/export.csv").streaming_content).decode()
    row = next(csv.DictReader(io.StringIO(raw, newline="")))
    event = Event.objects.get(slug=row["slug"])
    for f in RECORD:
        if f.kind is Kind.DATE and row[f.name]:
            assert len(row[f.name]) == 10 and row[f.name][4] == "-", f.name
        if f.kind is Kind.TIMESTAMP:
            assert row[f.name].endswith("Z"), f.name
        if f.kind is Kind.EVENT_URL:
            assert row[f.name].endswith(event.get_absolute_url())


def test_the_import_reads_the_record_columns_it_is_told_to():
    assert importing.REQUIRED_COLUMNS == REQUIRED_COLUMNS
    form_fields = {column.identifier for column in importing.COLUMN_CLASSES}
    assert {f.name for f in IMPORTED} <= form_fields
    # What the import ignores is what the export derives, the workflow owns or the inbox writes.
    assert {f.name for f in RECORD if not f.imported} == {
        "id",
        "category",
        "made_from",
        "status",
        "retraction_note",
        "updated_at",
        "url",
    }


def test_the_about_page_documents_every_field_from_the_record():
    html = render_to_string("events/_csv_columns.html")
    for f in RECORD:
        assert f'<th scope="row"><code>{f.name}</code></th><td>{f.doc}' in html


def test_the_api_names_the_record_fields_alike(client, record):
    cache.clear()
    event = client.get("/api/events/patriot/").json()
    for f in RECORD:
        if f.kind is not Kind.LIST:
            assert f.name in event, f"the API has no {f.name}"
