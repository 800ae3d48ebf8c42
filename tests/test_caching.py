"""Readers' pages, the export and the feed: cached per address and data version, 304 on a repeat.

Run against Django's local-memory cache and against Redis (Django's own backend), as CACHE_URL would
configure it for several app servers. Redis is TEST_REDIS_URL (default redis://127.0.0.1:6379/0);
missing, its tests skip locally and fail in CI (.ci/run starts redis-server).
"""

from __future__ import annotations

import datetime
import os
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from events import services
from events.models import Event
from tests import factories
from tests.conftest import IN_CI

pytestmark = pytest.mark.django_db
D = datetime.date
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
URLS = ["/", "/?country=LT&sort=date", "/export.csv", "/export.csv?q=Patriot", "/feed/", "/feed/?category=warning"]


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def reader_cache(request):
    """A fresh, empty cache of each kind, under a key prefix no other run shares."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    if request.param == "redis":
        if not redis_reachable():
            message = f"Redis is not answering at {REDIS_URL}: apt-get install redis-server"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        caches = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    else:
        caches = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    with override_settings(CACHES={"default": {**caches, "KEY_PREFIX": prefix, "TIMEOUT": 120}}):
        yield request.param


@pytest.fixture
def shown(db):
    lt = factories.country("LT")
    factories.published_event(slug="patriot", title="Patriots for Lithuania", date=D(2024, 3, 8), location_country=lt)
    return factories.published_event(
        slug="warning", title="Russia warns", type="official-warning", date=D(2024, 3, 9), location_country=lt
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, body(response)


@pytest.mark.parametrize("url", URLS)
def test_a_repeat_is_served_from_the_cache_with_one_query(client, reader_cache, shown, url):
    first, first_body = get(client, url)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        again, again_body = get(client, url)
    assert again["X-Cache"] == "hit" and again_body == first_body
    assert again["Content-Type"] == first["Content-Type"]
    assert len(queries) == 1, "only the data version is read"


@pytest.mark.parametrize("url", URLS)
def test_a_repeat_visit_with_the_etag_or_the_date_is_a_304(client, reader_cache, shown, url):
    first, _ = get(client, url)
    assert first["ETag"] and first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]  # the browser keeps it but asks each time
    not_modified = client.get(url, headers={"if-none-match": first["ETag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200


def test_publish_change_and_retract_each_show_at_once(client, reader_cache, shown):
    etag = client.get("/")["ETag"]
    draft = factories.event(slug="draft", title="A draft becomes news", date=D(2024, 3, 10))
    assert b"A draft becomes news" not in body(client.get("/"))  # drafts move the version, stay hidden
    # Not NATO: two NATO deployments two days apart would be likely duplicates (events.duplicates).
    draft.event_actors.create(actor=factories.actor("Lithuania"), role="initiator")
    draft.sources.create(url="https://news.example/d", publisher="Example", title="d")
    services.publish_event(event=draft)
    page = client.get("/", headers={"if-none-match": etag})
    assert page.status_code == 200 and page["X-Cache"] == "miss"
    assert b"A draft becomes news" in page.content
    assert b"A draft becomes news" in body(client.get("/export.csv"))

    shown.title = "Russia warns again"
    shown.save()
    assert b"Russia warns again" in body(client.get("/feed/"))
    assert b"Russia warns again" in body(client.get("/"))

    services.retract_event(event=shown, note="Withdrawn.")
    assert b"Russia warns again" not in body(client.get("/export.csv"))
    assert b"Russia warns again" in body(client.get("/export.csv?include_retracted=on"))


def test_a_change_to_a_source_or_an_actor_moves_the_version_too(client, reader_cache, shown):
    etag = client.get("/feed/")["ETag"]
    shown.sources.update(publisher="Another publisher")
    assert client.get("/feed/", headers={"if-none-match": etag}).status_code == 200


def test_editors_are_never_served_from_the_cache_nor_a_304(client, reader_cache, shown):
    first = client.get("/")
    client.force_login(factories.staff_user("editor", role="Editor"))
    page = client.get("/", headers={"if-none-match": first["ETag"]})
    assert page.status_code == 200 and not page.has_header("X-Cache")
    assert b"Editors" in page.content


def test_errors_are_not_cached(client, reader_cache, shown):
    for _ in range(2):
        response = client.get("/export.csv?date_from=not-a-date")
        assert response.status_code == 400 and not response.has_header("X-Cache")


def test_a_large_export_streams_to_the_cache_in_blocks_and_back(client, reader_cache, shown, monkeypatch):
    from readers import caching

    monkeypatch.setattr(caching, "CACHED_BLOCK_BYTES", 100)
    for n in range(20):
        factories.published_event(slug=f"bulk-{n}", date=D(2023, 1, 1) + datetime.timedelta(days=n))
    first, first_body = get(client, "/export.csv")
    again, again_body = get(client, "/export.csv")
    assert again["X-Cache"] == "hit" and again.streaming and again_body == first_body
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_an_export_past_the_bound_is_streamed_but_not_kept(client, reader_cache, shown, monkeypatch):
    from readers import caching

    monkeypatch.setattr(caching, "MAX_CACHED_BYTES", 200)
    _, first_body = get(client, "/export.csv")
    assert len(first_body) > 200
    again, again_body = get(client, "/export.csv")
    assert again["X-Cache"] == "miss" and again_body == first_body


def test_the_data_version_moves_with_a_write_and_not_with_a_read(shown):
    from events.selectors import data_version

    before = data_version()
    Event.objects.filter(slug="patriot").exists()
    assert data_version() == before
    Event.objects.filter(slug="patriot").update(title="Patriots")
    after = data_version()
    assert after[0] > before[0] and after[1] >= before[1]
