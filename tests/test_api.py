"""The read-only JSON API: the timeline's filter, stable cursor pages, the whole event, nothing unpublished,
a valid OpenAPI schema, throttling, conditional requests and CORS for reads."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from events.models import Event, EventActor, Reaction, Source
from events.selectors import event_filter
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date

# The same query strings through the page's filter, the CSV and the API (a table of queries).
QUERIES = [
    "",
    "country=LT",
    "country=lt&include_retracted=1",
    "region=baltic-states",
    "actor=russia",
    "actor=nato&role=target",
    "type=official-warning",
    "category=warning",
    "date_from=2024-01-01&date_to=2024-03-09",
    "escalation_min=1&sort=-escalation",
    "sort=escalation&include_retracted=1",
    "sort=title",
    "sort=date",
    "verification=confirmed",
    "q=patriot",
    "reactions_only=1",
    "include_retracted=1",
]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # the throttle counts requests in the cache: each test starts with none


def api_ids(client, query: str, page_size: int = 2) -> list[int]:
    """Every id of the query, following `next` links through pages of `page_size`."""
    ids: list[int] = []
    url = f"/api/events/?{query}&page_size={page_size}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        ids += [event["id"] for event in response.json()["results"]]
        url = response.json()["next"]
    return ids


def csv_ids(client, query: str) -> list[int]:
    raw = b"".join(client.get(f"/export.csv?{query}").streaming_content).decode()
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(raw, newline=""))]


@pytest.mark.parametrize("query", QUERIES)
def test_the_api_gives_the_ids_of_the_page_and_the_csv_in_the_same_order(client, record, query):
    filterset = event_filter(params=QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    page = list(filterset.qs.values_list("id", flat=True))
    assert api_ids(client, query) == page == csv_ids(client, query)


def test_every_query_of_the_table_finds_something(record):
    # A parity test over empty results would prove nothing.
    for query in QUERIES:
        assert event_filter(params=QueryDict(query)).qs.exists(), query


def test_drafts_and_events_in_review_never_appear(client, record):
    slugs = {e["slug"] for e in client.get("/api/events/?include_retracted=1&page_size=1000").json()["results"]}
    assert slugs == {"patriot", "warning", "talks", "withdrawn"}
    assert client.get("/api/events/draft/").status_code == 404
    assert client.get("/api/events/review/").status_code == 404
    assert client.get("/api/events/?q=under+review&include_retracted=1").json()["results"] == []


def test_retracted_events_only_when_asked_for_with_their_note(client, record):
    default = client.get("/api/events/").json()["results"]
    assert "withdrawn" not in {e["slug"] for e in default}
    asked = client.get("/api/events/?include_retracted=1").json()["results"]
    withdrawn = next(e for e in asked if e["slug"] == "withdrawn")
    assert withdrawn["status"] == "retracted"
    assert withdrawn["retraction_note"] == "The report was withdrawn."
    assert client.get("/api/events/withdrawn/").json()["retraction_note"] == "The report was withdrawn."


def test_an_event_by_slug_has_its_actors_sources_and_reactions_both_ways(client, record):
    patriot, warning = Event.objects.get(slug="patriot"), Event.objects.get(slug="warning")
    Source.objects.create(
        event=warning, publisher="TASS", title="Moscow warns", published_on=D(2024, 3, 9), kind="official", url=""
    )
    Reaction.objects.filter(event=warning).update(note="Within a day.", kind=Reaction.Kind.RETALIATION)
    draft = Event.objects.get(slug="draft")
    factories.reaction(draft, patriot)  # a reaction from a draft must not show
    body = client.get("/api/events/warning/").json()
    assert body["url"] == "http://testserver/events/warning/"
    assert {(a["slug"], a["role"]) for a in body["actors"]} == {("russia", "initiator"), ("nato", "target")}
    assert {
        "publisher": "TASS",
        "title": "Moscow warns",
        "published_on": "2024-03-09",
        "kind": "official",
        "url": "",
    } in body["sources"]
    assert body["responds_to"] == [
        {
            "event": "patriot",
            "title": "Patriot systems for Lithuania",
            "date": "2024-03-08",
            "kind": "retaliation",
            "note": "Within a day.",
            "lag_days": 1,
            "basis": {"kind": "judgement", "judgement": "The editors read it as a response.", "source": None},
        }
    ]
    reacted_by = client.get("/api/events/patriot/").json()["reacted_by"]
    assert [link["event"] for link in reacted_by] == ["warning"]
    assert reacted_by[0]["lag_days"] == 1


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(client, record, django_assert_max_num_queries):
    for n in range(30):
        event = factories.published_event(title=f"More {n}", date=D(2022, 1, 1) + datetime.timedelta(days=n))
        Source.objects.create(event=event, publisher="Other", title="x", kind="news")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/events/?page_size=2")
    with CaptureQueriesContext(connection) as large:
        client.get("/api/events/?page_size=30")
    assert len(small) == len(large) <= 15


def test_cursor_pages_do_not_shift_when_an_event_is_published_meanwhile(client, record):
    first = client.get("/api/events/?page_size=2").json()
    factories.published_event(slug="newest", title="Newest", date=D(2025, 1, 1))
    second = client.get(first["next"]).json()
    seen = [e["slug"] for e in first["results"] + second["results"]]
    assert "newest" not in seen and len(seen) == len(set(seen))
    assert seen == [
        e["slug"] for e in client.get("/api/events/?page_size=10").json()["results"] if e["slug"] != "newest"
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("country=nowhere", "country"),
        ("date_from=yesterday", "date_from"),
        ("sort=random", "sort"),
        ("escalation_min=99", "escalation_min"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=eyJvIjpbIi1kYXRlIiwiLWlkIl0sInYiOlsibm9wZSIsMV19", "cursor"),  # a date that is not one
        ("page_size=0", "page_size"),
        ("page_size=100000", "page_size"),
    ],
)
def test_bad_input_is_a_clear_400(client, record, query, field):
    response = client.get(f"/api/events/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_a_cursor_of_another_sort_is_refused(client, record):
    next_url = client.get("/api/events/?page_size=1").json()["next"]
    cursor = QueryDict(next_url.split("?", 1)[1])["cursor"]
    assert client.get(f"/api/events/?sort=title&cursor={cursor}").status_code == 400


def test_reference_lists(client, record):
    assert "russia" in {a["slug"] for a in client.get("/api/actors/").json()["results"]}
    assert {"LT", "RU", "PL"} <= {c["iso2"] for c in client.get("/api/countries/").json()["results"]}
    types = {t["slug"]: t for t in client.get("/api/types/?page_size=1000").json()["results"]}
    assert types["official-warning"]["category"] == "warning"
    regions = client.get("/api/regions/").json()["results"]
    assert {"slug": "baltic-states", "name": "Baltic states", "description": "", "countries": ["LT"]} in regions


def test_the_tension_index_of_a_filtered_view(client, record):
    from events.tension import tension_index

    body = client.get("/api/tension/?country=LT").json()
    expected = tension_index(event_filter(params=QueryDict("country=LT")).qs)
    assert body["window_days"] == 30
    assert [(p["day"], p["value"]) for p in body["points"]] == [(p.day.isoformat(), float(p.value)) for p in expected]
    assert client.get("/api/tension/?country=nowhere").status_code == 400


# --- the schema and its documentation page ------------------------------------------------------


def test_the_openapi_schema_validates_and_documents_the_filters(client):
    response = client.get("/api/schema.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    parameters = {p["name"] for p in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert {"date_from", "country", "actor", "include_retracted", "sort", "cursor", "page_size"} <= parameters
    assert {"/api/events/{slug}/", "/api/changes/", "/export.geojson", "/export.timeline.json"} <= set(schema["paths"])
    assert client.get("/api/schema/").status_code == 200


def test_the_docs_page_loads_everything_from_our_own_static_files_without_inline_script(client):
    html = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, body in scripts:
        assert body.strip() == "" and "src=" in attributes
        source = re.search(r'src="([^"]+)"', attributes).group(1)
        assert source.startswith("/"), f"{source}: no CDN, no other host"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema.json" in script.content.decode()


# --- throttling, conditional requests, CORS -----------------------------------------------------


def test_anonymous_reads_are_throttled_at_the_configured_rate(client, record, settings):
    settings.API_THROTTLE_RATE = "3/min"
    assert [client.get(path).status_code for path in ("/api/countries/", "/api/types/", "/api/regions/")] == [200] * 3
    refused = client.get("/api/events/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # An answer from the readers' cache costs the database nothing: it is not counted, nor refused.
    assert client.get("/api/countries/").status_code == 200
    other_client = client.get("/api/events/", REMOTE_ADDR="192.0.2.7")
    assert other_client.status_code == 200


def test_a_client_that_polls_gets_304_until_the_record_changes(client, record):
    first = client.get("/api/events/?country=LT")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get("/api/events/?country=LT", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get("/api/events/?country=LT", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # Another query is another answer.
    assert client.get("/api/events/?country=RU", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    # A source added to an event changes the answer: no stale 304.
    Source.objects.create(event=Event.objects.get(slug="patriot"), publisher="LRT", title="New", kind="news")
    changed = client.get("/api/events/?country=LT", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_cors_is_open_for_reads_only(client, record):
    response = client.get("/api/events/", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        "/api/events/", HTTP_ORIGIN="https://newsroom.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert client.post("/api/events/", HTTP_ORIGIN="https://newsroom.example").status_code == 405
    page = client.get("/", HTTP_ORIGIN="https://newsroom.example")
    assert "Access-Control-Allow-Origin" not in page, "the readers' pages are not opened"


def test_the_api_is_read_only(client, record):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/events/patriot/").status_code == 405


def test_actor_roles_are_documented_choices():
    # The representation's role values are the model's: a new role cannot drift silently.
    from api.serializers import ActorRoleSerializer

    assert set(ActorRoleSerializer().fields["role"].choices) == set(EventActor.Role.values)


@pytest.mark.parametrize("path", ["/api/actors/", "/api/types/", "/api/countries/", "/api/regions/"])
def test_each_reference_list_answers_a_repeat_with_304(client, record, path):
    first = client.get(path)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
