"""On PostgreSQL the export is a COPY … TO STDOUT: byte for byte the file of the Python path."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from events.db.export_lists import EXPORT_LISTS_TABLE
from events.filters import sort_order
from events.models import Event, EventActor, Source
from events.selectors import event_filter
from exports import csv as export
from tests import factories

pytestmark = pytest.mark.postgres
D = datetime.date
BASE = "https://tension.example/"


def both_paths(query: str = "", *, base_url: str = BASE) -> tuple[bytes, bytes]:
    events = event_filter(params=QueryDict(query)).qs
    python = b"".join(export.python_csv(events, base_url=base_url, chunk_size=7))
    copy = b"".join(export.copy_csv(events, ordering=sort_order(QueryDict(query).get("sort")), base_url=base_url))
    return python, copy


@pytest.fixture
def demo(postgres_only, demo_record):
    """The demo record (tests/conftest.py), on PostgreSQL only."""


@pytest.mark.parametrize(
    "query",
    [
        "",
        "include_retracted=on",
        "country=LT&sort=title",
        "actor=russia&role=initiator",
        "category=de_escalation&sort=escalation",
        "q=Patriot missiles",
        "region=baltic-states&date_from=2022-01-01&sort=-escalation",
        "reactions_only=on&sort=date",
    ],
)
def test_copy_and_python_paths_write_the_same_bytes_for_the_demo(demo, query):
    python, copy = both_paths(query)
    assert python.count(b"\r\n") == event_filter(params=QueryDict(query)).qs.count() + 1
    assert copy == python


def test_copy_and_python_paths_write_the_same_bytes_for_awkward_values(postgres_only):
    texts = [
        'He said "no", then left',
        "Line one\nline two\r\nline three",
        "Литва и Беларусь: «граница» — 立陶宛 🚀",
        "  spaced, with comma  ",
        "'Zapad' begins",
        "\\. alone",
        "\\N",
        "NULL",
        *(f"{prefix}SUM(A1:A9)" for prefix in ("=", "+", "-", "@", "\t", "\r")),
    ]
    earlier = factories.published_event(slug="-earlier", date=D(2020, 1, 1))
    draft = factories.event(slug="draft-target", date=D(2020, 1, 2))
    for n, text in enumerate(texts):
        event = factories.published_event(
            slug=f"awkward-{n}",
            title=text,
            summary=text,
            location_name=text,
            date=D(2024, 3, 1) + datetime.timedelta(days=n),
            end_date=D(2024, 4, 1) if n % 2 else None,
            date_precision=("day", "month", "year")[n % 3],
            latitude=Decimal("-0.00001") * n if n % 3 else None,
            longitude=Decimal("179.99999") if n % 3 else None,
            escalation=Decimal("-10.0") + n,
            escalation_note="Differs.",
            type="statement",
            initiator="Upper-Case",
        )
        # Hyphens and capitals: PostgreSQL must sort slugs as Python does (COLLATE "C"), not as a locale would.
        for slug in ("nato-b", "natoa", "Nato-c"):
            EventActor.objects.create(event=event, actor=factories.actor(slug, slug=slug), role=EventActor.Role.TARGET)
        Source.objects.create(event=event, url="", title="Broadcast", publisher="Radio")
        Source.objects.create(event=event, url=f"https://z.example/{n}", publisher="Z")
        factories.reaction(event, earlier)
        factories.reaction(event, draft)
    retracted = Event.objects.get(slug="awkward-3")
    retracted.status, retracted.retraction_note = Event.Status.RETRACTED, "=cmd|' /C calc'!A0"
    retracted.save()
    Event.objects.filter(slug="awkward-4").update(
        updated_at=datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    )
    for query in ("include_retracted=on", "include_retracted=on&sort=title", "q=Zapad"):
        python, copy = both_paths(query)
        assert copy == python, query
    python, _ = both_paths("include_retracted=on")
    assert python.count(b"\r\n") > len(texts) + 2, "line breaks inside values are kept inside their quotes"
    assert b",retracted,'=cmd|' /C calc'!A0," in python
    assert b",''Zapad' begins," in python
    assert b",'-earlier," in python, "a slug is text: it gets the apostrophe too"


def test_the_view_takes_the_copy_path_on_postgresql(demo, client, settings):
    settings.ALLOWED_HOSTS = ["tension.example"]
    # The debug cursor (as with DEBUG on) logs every statement, COPY included.
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/export.csv?country=LT", HTTP_HOST="tension.example", secure=True)
        streamed = b"".join(response.streaming_content)
    copies = [query["sql"] for query in queries if query["sql"].startswith("COPY (")]
    assert len(copies) == 1, "one statement for the whole file"
    python, _ = both_paths("country=LT")
    assert streamed == python


@pytest.mark.parametrize("query", ["", "country=LT&sort=title", "actor=russia&include_retracted=on"])
def test_the_copy_query_reads_each_events_lists_joined_ahead_not_aggregated_per_export(demo, query):
    events, ordering = event_filter(params=QueryDict(query)).qs, sort_order(QueryDict(query).get("sort"))
    sql, params = export.copy_select(events, ordering=ordering, base_url="http://x/")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = json.dumps(cursor.fetchone()[0])
    assert "SubPlan" not in plan, "no correlated sub-query, run once per exported row"
    assert '"Node Type": "Aggregate"' not in plan, "the lists were joined when they were written"
    assert f'"Relation Name": "{EXPORT_LISTS_TABLE}"' in plan


def test_several_values_keep_their_order_in_the_joined_lists(postgres_only):
    """Each list in its own order, as the joined lists keep it: slugs in code-point order, source URLs
    in the order they were recorded (here the reverse of their alphabetical order)."""
    event = factories.published_event(slug="many-values", date=D(2024, 3, 1), initiator="zulu")
    for slug in ("b-actor", "B-actor", "a-actor"):
        EventActor.objects.create(event=event, actor=factories.actor(slug, slug=slug), role=EventActor.Role.INITIATOR)
        EventActor.objects.create(event=event, actor=factories.actor(f"t-{slug}", slug=f"t-{slug}"), role="target")
    for url in ("https://c.example/", "https://b.example/", "", "https://a.example/"):
        Source.objects.create(event=event, url=url, publisher="P")
    for n in (3, 1, 2):
        factories.reaction(event, factories.published_event(slug=f"earlier-{n}", date=D(2020, 1, n)))
    python, copy = both_paths()
    assert copy == python
    assert b",B-actor; a-actor; b-actor; zulu,t-B-actor; t-a-actor; t-b-actor," in python
    assert b",earlier-1; earlier-2; earlier-3," in python
    assert b",https://news.example/many-values; https://c.example/; https://b.example/; https://a.example/," in python


def test_the_event_url_is_neutralised_alike_when_its_base_would_be_a_formula(postgres_only):
    factories.published_event(slug="plain", date=D(2024, 3, 1))
    python, copy = both_paths(base_url="=HYPERLINK(1)/")
    assert copy == python
    assert b",'=HYPERLINK(1)/events/plain/\r\n" in python


def test_an_empty_result_is_the_header_alone(postgres_only):
    python, copy = both_paths("")
    assert copy == python == export.header_line()
