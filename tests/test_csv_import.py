"""CSV import in the export's columns: preview first, all or nothing, drafts, idempotent, bounded memory."""

import csv
import io
import tracemalloc
from decimal import Decimal

import pytest
from django.urls import reverse

from editorial import importing
from events.models import Event, EventActor, Reaction, Source
from events.record import NAMES
from tests import factories

pytestmark = pytest.mark.django_db


def row(**values):
    base = {column: "" for column in NAMES}
    base.update(
        slug="patriots-for-lithuania",
        date="2024-03-08",
        date_precision="day",
        title="NATO announces Patriots for Lithuania",
        summary="Air defence systems.",
        event_type="force-deployment",
        category="military_posture",
        escalation="7.2",
        initiators="nato",
        targets="russia",
        country="LT",
        source_urls="https://nato.example/a; https://lrt.example/b",
        status="published",
        url="https://tension.example/events/patriots-for-lithuania/",
    )
    base.update(values)
    return base


def csv_file(*rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=NAMES)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


@pytest.fixture(autouse=True)
def actors():
    factories.country("LT")
    factories.actor("NATO")
    factories.actor("Russia")


def test_valid_rows_come_in_as_drafts_with_actors_sources_and_reactions():
    warning = row(
        slug="russia-warns",
        date="2024-03-09",
        title="Russia warns",
        event_type="official-warning",
        escalation="",
        initiators="russia",
        targets="nato",
        responds_to="patriots-for-lithuania",
        source_urls="https://tass.example/w",
    )
    report = importing.import_events(file=csv_file(warning, row()))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    patriots = Event.objects.get(slug="patriots-for-lithuania")
    assert patriots.status == Event.Status.DRAFT, "the file's status column does not publish"
    assert patriots.location_country.iso2 == "LT"
    assert {(link.actor.slug, link.role) for link in patriots.event_actors.all()} == {
        ("nato", "initiator"),
        ("russia", "target"),
    }
    assert set(patriots.sources.values_list("url", "publisher")) == {
        ("https://nato.example/a", "nato.example"),
        ("https://lrt.example/b", "lrt.example"),
    }
    reaction = Reaction.objects.get()
    assert (reaction.event.slug, reaction.responds_to.slug) == ("russia-warns", "patriots-for-lithuania")


def test_one_bad_row_refuses_the_whole_file_naming_each_bad_row_and_field():
    rows = [
        row(),
        row(slug="bad-type", event_type="invasion"),
        row(slug="bad-date", date="8 March 2024", initiators="nato; nobody"),
        row(slug="ends-early", end_date="2024-03-01"),
        row(slug="later", date="2024-01-01", responds_to="patriots-for-lithuania"),
    ]
    report = importing.import_events(file=csv_file(*rows))
    assert not report.ok
    assert {(e.line, e.slug, e.column) for e in report.errors} == {
        (3, "bad-type", "event_type"),
        (4, "bad-date", "date"),
        (4, "bad-date", "initiators"),
        (5, "ends-early", "end_date"),
        (6, "later", "responds_to"),
    }
    assert "No actor with the slug “nobody”" in str(report.errors)
    assert Event.objects.count() == 0 and Source.objects.count() == 0 and EventActor.objects.count() == 0


def test_importing_the_same_file_twice_updates_instead_of_duplicating():
    file = csv_file(row(), row(slug="second", title="Second"))
    importing.import_events(file=file)
    again = importing.import_events(file=file)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Event.objects.count() == 2 and Source.objects.count() == 4 and EventActor.objects.count() == 4
    assert Event.history.count() == 2, "an unchanged row writes nothing, not even history"

    edited = importing.import_events(
        file=csv_file(row(title="Patriots: corrected", targets=""), row(slug="second", title="Second"))
    )
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 1)
    event = Event.objects.get(slug="patriots-for-lithuania")
    assert event.title == "Patriots: corrected" and event.targets == [] and event.version == 2


def test_a_published_event_is_never_changed_by_an_import_but_an_equal_row_passes():
    published = factories.published_event(slug="patriots-for-lithuania", title="As published", initiator="NATO")
    equal = row(
        title="As published",
        summary=published.summary,
        escalation="7.2",
        targets="",
        country="",
        source_urls=published.sources.get().url,
    )
    assert importing.import_events(file=csv_file(equal)).unchanged == 1

    report = importing.import_events(file=csv_file(row(title="Changed by import"), row(slug="other")))
    assert not report.ok
    assert [(e.slug, e.column) for e in report.errors] == [("patriots-for-lithuania", "slug")]
    assert "is published: an import does not change what readers see" in report.errors[0].message
    assert Event.objects.get(pk=published.pk).title == "As published"
    assert not Event.objects.filter(slug="other").exists()


def test_the_admin_previews_first_then_imports_the_same_file(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    url = reverse("admin:events_event_import")
    upload = csv_file(row())
    upload.name = "events.csv"
    preview = client.post(url, {"csv_file": upload, "_preview": "1"})
    text = preview.content.decode()
    assert "Ready to import 1 row(s): 1 new draft(s)" in text and 'name="_import"' in text
    assert Event.objects.count() == 0, "the preview writes nothing"
    response = client.post(url, {"_import": "1"}, follow=True)
    assert "Imported 1 row(s)" in response.content.decode()
    assert Event.objects.get().status == Event.Status.DRAFT


def test_the_admin_shows_every_bad_row_and_offers_no_import(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    upload = csv_file(row(), row(slug="x", country="XX"))
    upload.name = "events.csv"
    text = client.post(reverse("admin:events_event_import"), {"csv_file": upload, "_preview": "1"}).content.decode()
    assert "Import refused: 1 error(s) in 2 row(s)" in text and "No country with the ISO code “XX”" in text
    assert 'name="_import"' not in text


def big_file(n, prefix):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=NAMES)
    writer.writeheader()
    for i in range(n):
        writer.writerow(row(slug=f"{prefix}-{i}", title=f"Event {i}", source_urls=f"https://news.example/{prefix}/{i}"))
    return io.BytesIO(out.getvalue().encode())


def peak_memory_of_import(n, prefix):
    file = big_file(n, prefix)  # built before measuring: in real use the upload is on disk
    tracemalloc.start()
    report = importing.import_events(file=file)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.ok and report.created == n
    return peak


def test_memory_stays_bounded_as_the_file_grows():
    """Pass 1 keeps only a slug → date index (for duplicates and responds_to); rows are parsed and
    written a batch at a time. More rows may add the index's few hundred bytes a row, not the rows.
    (The 100,000-row case is measured in docs/benchmarks.md.)"""
    assert importing.BATCH_SIZE == 1_000  # the small file fills a whole batch, so batches cost the same
    small, large = peak_memory_of_import(1_000, "small"), peak_memory_of_import(5_000, "large")
    per_row = (large - small) / 4_000
    assert per_row < 400, f"peak grew by {per_row:.0f} bytes per row ({small} → {large})"
    assert large < 2 * small, f"peak {small} at 1,000 rows, {large} at 5,000"


def test_empty_cells_for_columns_the_export_lacks_keep_the_events_own_values():
    importing.import_events(file=csv_file(row()))
    Event.objects.filter(slug="patriots-for-lithuania").update(verification="disputed", escalation_note="Kept.")
    report = importing.import_events(file=csv_file(row(escalation="7.5")))
    assert report.ok and report.updated == 1
    event = Event.objects.get(slug="patriots-for-lithuania")
    assert (event.verification, event.escalation_note, event.escalation) == ("disputed", "Kept.", Decimal("7.5"))


def test_a_new_row_that_overrides_the_escalation_must_say_why():
    report = importing.import_events(file=csv_file(row(escalation="9.0")))
    assert [(e.column, e.message[:40]) for e in report.errors] == [
        ("escalation_note", "The escalation differs from the type's d")
    ]
