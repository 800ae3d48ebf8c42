"""The CSV export: exactly the events of the page's filter, as RFC 4180 CSV, streamed in constant memory."""

from __future__ import annotations

import csv
import datetime
import io
import re
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from events.models import Event, EventActor, Source
from events.record import NAMES
from events.selectors import event_filter
from exports import csv as export
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
SEED = "nato-patriot-lithuania-announcement"
WARNING = "russia-warns-against-foreign-forces-lithuania"
INJECTION_PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def body(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def parse(raw: bytes) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == NAMES
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def exported(client, query: str = "") -> list[dict[str, str]]:
    return parse(body(client.get(f"/export.csv?{query}")))


def page_ids(query: str) -> list[int]:
    filterset = event_filter(params=QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("id", flat=True))


# --- the file --------------------------------------------------------------------------------


def test_the_export_is_an_rfc_4180_utf8_csv_attachment_with_a_header(client, demo):
    response = client.get("/export.csv?date_from=2024-03-01&date_to=2024-03-31")
    raw = body(response)
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    assert response["Content-Disposition"] == 'attachment; filename="tension-timeline_2024-03-01_2024-03-31.csv"'
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    assert raw.startswith(",".join(NAMES).encode() + b"\r\n")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line ends with CRLF (no line break inside the demo values)"


def test_demo_values_column_by_column(client, demo):
    rows = {row["slug"]: row for row in exported(client)}
    seed = Event.objects.get(slug=SEED)
    assert rows[SEED] == {
        "id": str(seed.id),
        "slug": SEED,
        "date": "2024-03-07",
        "date_precision": "day",
        "end_date": "",
        "title": "Lithuania announces NATO rotational air defence with Patriot systems from a European ally",
        "summary": seed.summary,
        "event_type": "defence-pledge",
        "category": "military_posture",
        "escalation": "4.0",
        "escalation_note": "",
        "verification": seed.verification,
        "initiators": "lithuania; nato",
        "targets": "",
        "country": "LT",
        "location": "Vilnius",
        "latitude": "54.68700",
        "longitude": "25.27900",
        "responds_to": "nato-vilnius-summit-2023",
        # The seed article has no URL: only the sources with one, in the order they were recorded.
        "source_urls": "; ".join(url for url in seed.sources.values_list("url", flat=True) if url),
        "made_from": "",  # entered by hand
        "status": "published",
        "retraction_note": "",
        "updated_at": seed.updated_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": f"http://testserver/events/{SEED}/",
    }
    assert WARNING not in rows  # retracted (issue #22): only when retractions are asked for
    warning = {row["slug"]: row for row in exported(client, "include_retracted=on")}[WARNING]
    assert (warning["status"], warning["responds_to"]) == ("retracted", "")  # linked to nothing (issue #10)
    assert "duplicate" in warning["retraction_note"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", warning["updated_at"])


def test_every_public_demo_event_is_exported_once_in_the_page_order(client, demo):
    rows = exported(client)
    assert [int(row["id"]) for row in rows] == page_ids("")
    assert len(rows) == Event.objects.published().count() == 63  # and one retraction (issue #22)


def test_de_escalation_keeps_its_sign_and_reads_as_a_number(client, demo):
    rows = exported(client, "category=de_escalation")
    assert rows and any(Decimal(row["escalation"]) < 0 for row in rows)
    negative = next(row for row in rows if row["escalation"].startswith("-"))
    assert float(negative["escalation"]) < 0, "numeric columns carry no apostrophe"


def test_the_export_needs_no_pandas():
    # Readers parse it with any CSV reader; the app itself does not depend on pandas.
    for requirements in Path(__file__).resolve().parent.parent.glob("requirements*.txt"):
        assert "pandas" not in requirements.read_text().lower()


# --- the same filter as the page ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "country=LT",
        "region=baltic-states",
        "category=warning",
        "actor=russia",
        "actor=nato&role=initiator",
        "type=official-warning&type=force-deployment",
        "date_from=2024-03-01&date_to=2024-03-31",
        "escalation_min=5&escalation_max=8",
        "verification=confirmed",
        "reactions_only=on",
        "q=Patriot",
        "sort=title",
        "sort=-escalation",
        "sort=date&country=lithuania",
    ],
)
def test_the_same_query_gives_the_same_events_on_page_and_export(client, demo, query):
    assert [int(row["id"]) for row in exported(client, query)] == page_ids(query)


def test_the_export_holds_the_events_listed_on_the_page(client, demo):
    query = "country=LT&sort=title"
    html = client.get(f"/?{query}").content.decode()
    slugs = [row["slug"] for row in exported(client, query)]
    assert slugs
    for slug in slugs:
        assert f"/events/{slug}/" in html


@pytest.mark.parametrize(
    "query,field",
    [
        ("date_from=yesterday", "date_from"),
        ("country=atlantis", "country"),
        ("escalation_min=99", "escalation_min"),
        ("date_from=2024-03-31&date_to=2024-03-01", "date_to"),
        ("sort=random", "sort"),
        ("actor=nobody", "actor"),
    ],
)
def test_an_invalid_filter_is_a_readable_400_not_a_dump(client, demo, query, field):
    response = client.get(f"/export.csv?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"\n{field} (" in text
    assert "nato" not in text, "no event data in the error"


@pytest.mark.parametrize(
    "query,filename",
    [
        ("", "tension-timeline_all-dates.csv"),
        ("date_from=2024-03-01&date_to=2024-03-31", "tension-timeline_2024-03-01_2024-03-31.csv"),
        ("date_from=2024-03-01", "tension-timeline_from-2024-03-01.csv"),
        ("date_to=2024-03-31", "tension-timeline_until-2024-03-31.csv"),
        ("country=LT&category=warning", "tension-timeline_lithuania_warning_all-dates.csv"),
        (
            "actor=russia&q=missile&include_retracted=on",
            "tension-timeline_russia_filtered_with-retracted_all-dates.csv",
        ),
    ],
)
def test_the_file_name_says_what_it_holds(client, demo, query, filename):
    response = client.get(f"/export.csv?{query}")
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


# --- who appears -------------------------------------------------------------------------------


def test_drafts_and_events_in_review_never_appear(client):
    factories.published_event(slug="public")
    factories.event(slug="draft")
    factories.event(slug="in-review", status=Event.Status.IN_REVIEW)
    for query in ("", "include_retracted=on", "q=Event"):
        assert [row["slug"] for row in exported(client, query)] == ["public"]


def test_retracted_events_appear_only_when_asked_with_their_note(client):
    factories.published_event(slug="standing", date=D(2024, 3, 8))
    withdrawn = factories.published_event(slug="withdrawn", date=D(2024, 3, 9))
    withdrawn.status, withdrawn.retraction_note = Event.Status.RETRACTED, "The report was withdrawn."
    withdrawn.save()
    assert [row["slug"] for row in exported(client)] == ["standing"]
    rows = exported(client, "include_retracted=on")
    assert [(row["slug"], row["status"], row["retraction_note"]) for row in rows] == [
        ("withdrawn", "retracted", "The report was withdrawn."),
        ("standing", "published", ""),
    ]


def test_responds_to_never_names_a_draft(client):
    earlier = factories.published_event(slug="earlier", date=D(2024, 3, 1))
    unpublished = factories.event(slug="unpublished", date=D(2024, 3, 2))
    later = factories.published_event(slug="later", date=D(2024, 3, 9))
    factories.reaction(later, earlier)
    factories.reaction(later, unpublished)
    assert {row["slug"]: row["responds_to"] for row in exported(client)}["later"] == "earlier"


# --- cells -------------------------------------------------------------------------------------


def test_multi_value_cells_are_joined_in_a_stable_order(client):
    first = factories.published_event(slug="first", date=D(2024, 3, 1))
    second = factories.published_event(slug="a-second", date=D(2024, 3, 2))
    event = factories.published_event(slug="multi", date=D(2024, 3, 9), initiator="Russia", target="NATO")
    for name in ("Belarus", "Armed Forces of Belarus"):
        EventActor.objects.create(event=event, actor=factories.actor(name), role=EventActor.Role.INITIATOR)
    EventActor.objects.create(event=event, actor=factories.actor("Lithuania"), role=EventActor.Role.TARGET)
    Source.objects.create(event=event, url="https://b.example/2", publisher="B")
    Source.objects.create(event=event, url="", title="Evening news broadcast", publisher="Radio")
    Source.objects.create(event=event, url="https://a.example/3", publisher="A")
    factories.reaction(event, second)
    factories.reaction(event, first)
    row = {row["slug"]: row for row in exported(client)}["multi"]
    assert row["initiators"] == "armed-forces-of-belarus; belarus; russia"
    assert row["targets"] == "lithuania; nato"
    assert row["responds_to"] == "a-second; first"
    assert row["source_urls"] == "https://news.example/multi; https://b.example/2; https://a.example/3"


TRICKY = [
    'He said "no", then left',
    "Line one\nline two\r\nline three",
    "Литва и Беларусь: «граница»",
    "Ķekava, Ādaži, Šiauliai — 立陶宛 🚀",
    "  spaced  ",
    "semi; colon, comma",
]


@pytest.mark.parametrize("text", TRICKY)
def test_quotes_commas_line_breaks_and_non_latin_text_survive_a_round_trip(client, text):
    factories.published_event(slug="tricky", title=text[:200], summary=text, location_name=text)
    (row,) = exported(client)
    assert (row["title"], row["summary"], row["location"]) == (text, text, text)


def test_a_value_with_quotes_is_quoted_with_doubled_quotes(client):
    factories.published_event(slug="quoted", title='He said "no", then left')
    assert b',"He said ""no"", then left",' in body(client.get("/export.csv"))


@pytest.mark.parametrize("prefix", INJECTION_PREFIXES)
def test_every_formula_prefix_is_neutralised_with_an_apostrophe(client, prefix):
    formula = f'{prefix}HYPERLINK("http://evil.example","click")'
    factories.published_event(slug="formula", title=formula, summary=formula, location_name=formula)
    (row,) = exported(client)
    for column in ("title", "summary", "location"):
        assert row[column] == "'" + formula
        assert export.restore_cell(row[column]) == formula


def test_a_leading_apostrophe_is_doubled_so_the_rule_can_be_undone(client):
    factories.published_event(slug="quote", title="'Zapad' begins", summary="Plain text")
    (row,) = exported(client)
    assert row["title"] == "''Zapad' begins"
    assert export.restore_cell(row["title"]) == "'Zapad' begins"
    assert row["summary"] == "Plain text"


def test_numbers_are_exempt_from_the_apostrophe(client):
    factories.published_event(
        slug="agreement",
        type="agreement",
        latitude=Decimal("-33.5"),
        longitude=Decimal("-70.25"),
        retraction_note="",
    )
    (row,) = exported(client)
    assert (row["escalation"], row["latitude"], row["longitude"]) == ("-8.0", "-33.50000", "-70.25000")


def test_restore_cell_leaves_other_values_alone():
    assert export.restore_cell("NATO") == "NATO"
    assert export.restore_cell("") == ""
    assert export.neutralise("") == ""


# --- streaming ---------------------------------------------------------------------------------


def make_events(n: int) -> None:
    """n published events, each with an initiator, a target and a source, in a few bulk inserts."""
    nato, russia = factories.actor("NATO"), factories.actor("Russia")
    kind = factories.event_type("official-warning")
    now = datetime.datetime(2024, 3, 8, 12, tzinfo=datetime.UTC)
    start = Event.objects.count()
    events = Event.objects.bulk_create(
        Event(
            title=f"Warning number {i} about the deployment of forces in the region",
            slug=f"bulk-{start + i}",
            date=D(2024, 1, 1) + datetime.timedelta(days=i % 365),
            summary="A warning against the stationing of additional foreign forces in the region. " * 3,
            event_type=kind,
            escalation=Decimal("7.0"),
            status=Event.Status.PUBLISHED,
            published_at=now,
        )
        for i in range(n)
    )
    EventActor.objects.bulk_create(
        [EventActor(event=e, actor=russia, role=EventActor.Role.INITIATOR) for e in events]
        + [EventActor(event=e, actor=nato, role=EventActor.Role.TARGET) for e in events]
    )
    Source.objects.bulk_create(
        Source(event=e, url=f"https://news.example/{e.slug}", publisher="News", kind=Source.Kind.NEWS) for e in events
    )


def peak_memory_of_streaming(client) -> tuple[int, int]:
    """Consume /export.csv piece by piece (as a server would), keeping nothing; return (peak bytes, size).

    The test client closes the response once its content is consumed."""
    tracemalloc.start()
    try:
        response = client.get("/export.csv")
        assert response.streaming and response.status_code == 200
        size = 0
        for piece in response.streaming_content:
            size += len(piece)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_rows(client, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_SIZE", 100)
    make_events(300)
    peak_small, size_small = peak_memory_of_streaming(client)
    make_events(2700)
    peak_large, size_large = peak_memory_of_streaming(client)
    assert size_large > 9 * size_small
    # Ten times the rows, the same working set: one chunk of events and one piece of output at a time.
    assert peak_large < 1.5 * peak_small, (peak_small, peak_large)


def test_rows_go_out_in_pieces_as_they_are_read(client):
    make_events(1500)
    response = client.get("/export.csv")
    pieces = list(response.streaming_content)
    assert len(pieces) > 5
    assert max(len(piece) for piece in pieces) < 2 * export.FLUSH_BYTES


def test_the_python_path_reads_a_chunk_at_a_time_not_a_query_per_event():
    make_events(250)
    with CaptureQueriesContext(connection) as queries:
        raw = b"".join(export.python_csv(event_filter(params={}).qs, base_url="http://x/", chunk_size=100))
    assert raw.count(b"\r\n") == 251
    # the ids, then per chunk of 100: the events (with type and country) and one query per list field
    assert len(queries) <= 1 + 3 * (1 + len(export.LISTS))


def test_the_column_documentation_names_every_column():
    html = render_to_string("events/_csv_columns.html")
    for column in NAMES:
        assert f'<th scope="row"><code>{column}</code></th>' in html


# --- back through the admin importer -----------------------------------------------------------


def test_the_demo_export_imports_back_unchanged(client, demo):
    from editorial import importing

    raw = body(client.get("/export.csv?include_retracted=on"))
    report = importing.import_events(file=io.BytesIO(raw), dry_run=True)
    assert report.ok, [str(error) for error in report.errors]
    assert (report.rows, report.unchanged, report.created, report.updated) == (64, 64, 0, 0)


def test_a_neutralised_cell_imports_back_unchanged(client):
    from editorial import importing

    factories.published_event(slug="formula", title="=1+1 and 'quoted'", summary="-8 is de-escalation")
    raw = body(client.get("/export.csv"))
    report = importing.import_events(file=io.BytesIO(raw), dry_run=True)
    assert report.ok and report.unchanged == 1, [str(error) for error in report.errors]
