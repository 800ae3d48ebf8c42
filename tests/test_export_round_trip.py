"""The export round-trips: every row of the demo record's export imports back under a new slug, with
the same values (escalation notes and verification included)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from editorial import importing
from events.models import Event

pytestmark = pytest.mark.django_db

COMPARED = [
    "title",
    "date",
    "date_precision",
    "end_date",
    "summary",
    "event_type_id",
    "escalation",
    "escalation_note",
    "verification",
    "location_country_id",
    "location_name",
    "latitude",
    "longitude",
]


def test_every_exported_row_of_the_demo_record_imports_back_under_a_new_slug(client):
    call_command("load_demo", verbosity=0)
    exported = b"".join(client.get(reverse("events:export") + "?include_retracted=on").streaming_content)
    rows = list(csv.DictReader(io.StringIO(exported.decode())))
    assert len(rows) == Event.objects.public().count() > 50
    assert any(row["escalation_note"] for row in rows), "the demo overrides some types' escalation"

    for row in rows:
        row["slug"] = "copy-" + row["slug"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    report = importing.import_events(file=io.BytesIO(out.getvalue().encode()))

    assert report.ok, report.errors[:5]
    assert report.created == len(rows)
    for copy in Event.objects.filter(slug__startswith="copy-"):
        original = Event.objects.get(slug=copy.slug.removeprefix("copy-"))
        assert [getattr(copy, f) for f in COMPARED] == [getattr(original, f) for f in COMPARED], original.slug
        assert copy.status == Event.Status.DRAFT
