"""A client generated from our OpenAPI schema by openapi-python-client walks the API, strict about statuses
(raise_on_unexpected_status): every page of the events, the whole change feed and the tension index, and
the 304, 400 and 404 the schema documents come back as answers, not exceptions. On the demo record."""

from __future__ import annotations

import importlib
import json
import sys
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.http import QueryDict
from django.test import Client as DjangoClient
from drf_spectacular.generators import SchemaGenerator
from openapi_python_client import MetaType, generate
from openapi_python_client.config import Config, ConfigFile

from events.selectors import event_filter
from events.tension import tension_index

PACKAGE = "tension_timeline_client"
PAGE_SIZE = 10


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated from the schema drf-spectacular makes of our views, and imported."""
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "schema.json"
    schema.write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    config = Config.from_sources(
        ConfigFile(post_hooks=[]), MetaType.NONE, schema, "utf-8", overwrite=True, output_path=folder / PACKAGE
    )
    errors = generate(config=config)
    assert not errors, "\n".join(str(error) for error in errors)
    sys.path.insert(0, str(folder))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


class AppTransport(httpx.BaseTransport):
    """httpx's requests answered by the app in this process through Django's test client, so they see the
    test's transaction (the module's demo record) on either database."""

    def __init__(self) -> None:
        self.app = DjangoClient()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.app.generic(request.method, request.url.raw_path.decode(), headers=dict(request.headers))
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        return httpx.Response(answer.status_code, headers=list(answer.items()), content=body)


@pytest.fixture
def client(generated, demo, settings):
    """The generated client, strict about statuses."""
    settings.API_THROTTLE_RATE = "100000/min"
    strict = generated.Client(base_url="http://testserver", raise_on_unexpected_status=True)
    strict.set_httpx_client(httpx.Client(base_url="http://testserver", transport=AppTransport()))
    return strict


def operation(name: str):
    return importlib.import_module(f"{PACKAGE}.api.api.{name}")


def cursor_of(next_url: str | None) -> str | None:
    return parse_qs(urlsplit(next_url).query)["cursor"][0] if next_url else None


def test_the_generated_client_walks_every_page_of_the_events(client):
    events_list, slugs, cursor = operation("api_events_list"), [], None
    while True:
        page = events_list.sync(client=client, page_size=PAGE_SIZE, cursor=cursor, include_retracted=True)
        slugs += [event.slug for event in page.results]
        cursor = cursor_of(page.next_)
        if cursor is None:
            break
    public = event_filter(params=QueryDict("include_retracted=1")).qs
    assert slugs == list(public.values_list("slug", flat=True)) and len(slugs) > 3 * PAGE_SIZE


def test_the_generated_client_walks_the_change_feed(client):
    feed, changes, cursor = operation("api_changes_retrieve"), [], None
    while True:
        answer = feed.sync(client=client, limit=PAGE_SIZE, cursor=cursor)
        changes += answer.changes
        cursor = answer.cursor
        if not answer.more:
            break
    public = event_filter(params=QueryDict("include_retracted=1")).qs
    assert sorted(change.slug for change in changes) == sorted(public.values_list("slug", flat=True))
    assert {str(change.change) for change in changes} <= {"published", "changed", "retracted"}


def test_the_generated_client_reads_the_tension_index_of_a_filtered_view(client):
    index = operation("api_tension_retrieve").sync(client=client, actor=["russia"], include_retracted=True)
    expected = tension_index(event_filter(params=QueryDict("actor=russia&include_retracted=1")).qs)
    assert [(point.day, point.value) for point in index.points] == [(p.day, float(p.value)) for p in expected]
    assert index.window_days == 30


def test_the_statuses_the_schema_documents_are_answers_not_exceptions(client):
    events_list = operation("api_events_list")
    first = events_list.sync_detailed(client=client, page_size=1)
    assert first.status_code == 200
    again = events_list.sync_detailed(client=client, page_size=1, if_none_match=first.headers["ETag"])
    assert again.status_code == 304
    refused = operation("api_actors_list").sync_detailed(client=client, page_size=1001)
    assert refused.status_code == 400 and refused.parsed["page_size"]
    missing = operation("api_events_retrieve").sync_detailed(client=client, slug="no-such-event")
    assert missing.status_code == 404 and missing.parsed.detail
