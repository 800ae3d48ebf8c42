"""What the OpenAPI schema promises (issue 24, faults 2 to 5), read from the schema the app serves: every
status an operation answers with its body, the bounds of `limit`, the filter's parameters wherever the filter
applies (derived from EventFilter, so a new filter cannot be left out), and the 400s that OpenAPI cannot
express in a parameter's schema said in words. tests/test_api_schema_conformance.py holds the running app to
all of it."""

from __future__ import annotations

import pytest

from api.changes import MAX_CHANGES_PER_PAGE
from api.pagination import MAX_PAGE_SIZE
from events.filters import QUERY_MAX_LENGTH, SORTS, EventFilter
from events.models import ESCALATION_MAX, ESCALATION_MIN

pytestmark = pytest.mark.django_db

FILTERED = ["/api/events/", "/api/tension/", "/export.geojson", "/export.timeline.json"]
# Every operation answers conditional requests but the root, a list of links (so an operation added later is
# held to it too: /api/trends/ and /api/dyads/{a}/{b}/ were not in a list of the conditional ones).
NOT_CONDITIONAL = ["/api/"]
# A row of the conftest's record for each path parameter.
ROW_IN_PATH = {"slug": "patriot", "a": "russia", "b": "nato"}


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema.json").json()


def operation(schema: dict, path: str) -> dict:
    return schema["paths"][path]["get"]


def parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in operation(schema, path).get("parameters", []) if p["in"] == "query"}


def test_fault_2_every_operation_documents_each_status_it_answers(schema):
    for path in schema["paths"]:
        responses = operation(schema, path)["responses"]
        assert "429" in responses and "Retry-After" in responses["429"]["headers"], path
        assert responses["406"]["content"]["application/json"]["schema"]["required"] == ["detail"], path
        if path not in NOT_CONDITIONAL:
            assert "304" in responses, path
            assert {"ETag", "Last-Modified"} <= set(responses["200"]["headers"]) & set(responses["304"]["headers"])
            headers = {p["name"] for p in operation(schema, path)["parameters"] if p["in"] == "header"}
            assert headers == {"If-None-Match", "If-Modified-Since"}, path
        if parameters(schema, path):
            body = responses["400"]["content"]["application/json"]["schema"]
            assert body["additionalProperties"] == {"type": "array", "items": {"type": "string"}}, path
    assert "404" in operation(schema, "/api/events/{slug}/")["responses"]
    assert "404" in operation(schema, "/export.geojson")["responses"], "?format=AAA is a 404"
    assert set(operation(schema, "/api/")["responses"]) == {"200", "406", "429"}


def test_an_accept_the_api_cannot_meet_is_the_documented_406(client, record, schema):
    """DRF refuses an Accept it cannot meet before the view runs, on every operation; the schema listed only
    the statuses the views answer."""
    for path in schema["paths"]:
        url = path.format(**ROW_IN_PATH)
        answer = client.get(url, headers={"Accept": "text/csv"})
        assert answer.status_code == 406 and answer.json()["detail"], url
        assert "406" in operation(schema, path)["responses"], path


def test_every_conditional_operation_answers_its_own_etag_with_a_304(client, record, schema):
    for path in schema["paths"]:
        if path in NOT_CONDITIONAL:
            continue
        url = path.format(**ROW_IN_PATH)
        first = client.get(url)
        assert first.status_code == 200, url
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304 and again["ETag"] == first["ETag"], url


def test_fault_3_the_change_feeds_limit_has_its_bounds(schema):
    limit = parameters(schema, "/api/changes/")["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, MAX_CHANGES_PER_PAGE)
    page_size = parameters(schema, "/api/events/")["page_size"]["schema"]
    assert (page_size["minimum"], page_size["maximum"]) == (1, MAX_PAGE_SIZE)


@pytest.mark.parametrize("path", FILTERED)
def test_fault_4_every_filtered_view_declares_the_filters_parameters(schema, path):
    declared = parameters(schema, path)
    assert set(EventFilter.base_filters) <= set(declared)
    assert declared["escalation_min"]["schema"]["minimum"] == ESCALATION_MIN
    assert declared["escalation_max"]["schema"]["maximum"] == ESCALATION_MAX
    assert declared["q"]["schema"]["maxLength"] == QUERY_MAX_LENGTH
    assert set(declared["sort"]["schema"]["enum"]) == set(SORTS)
    assert declared["actor"]["schema"]["type"] == "array"
    # `actor=` names no actor (a 400), where an empty single value such as `country=` is no filter.
    assert declared["actor"]["schema"]["items"]["minLength"] == 1
    assert declared["country"]["allowEmptyValue"] and "minLength" not in declared["country"]["schema"]


def test_fault_5_the_400s_a_schema_cannot_express_are_said_where_they_apply(schema):
    declared = parameters(schema, "/api/events/")
    assert "with `actor` only" in declared["role"]["description"]
    for name in ("actor", "type", "region", "country"):
        assert "is a 400" in declared[name]["description"], name
    assert "previous page" in declared["cursor"]["description"]
    assert "400" in operation(schema, "/api/events/")["responses"]
