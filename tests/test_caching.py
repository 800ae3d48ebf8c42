"""Every anonymous GET (pages, exports, feeds, the API): cached per address and data version, 304 on a repeat.

Run against Django's local-memory cache and against Redis (Django's own backend), as CACHE_URL would
configure it for several app servers. Redis is TEST_REDIS_URL (the redis_url fixture, tests/conftest.py);
missing, its tests skip locally and fail in CI (.ci/run starts redis-server). Two app servers sharing
one Redis: tests/test_two_servers.py.
"""

from __future__ import annotations

import datetime
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from events import services
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
# Every anonymous GET of the record, and whether a new event reacting to "warning" shows in it.
SHOW_THE_NEW_EVENT = [
    "/",
    "/?country=LT&sort=date",
    "/export.csv",
    "/feed/",
    "/embed/?country=LT",
    "/map/",
    "/events/warning/",
    "/tension/?end=2024-03-20",
    "/api/events/",
    "/api/events/?country=LT",
    "/api/events/warning/",
    "/api/changes/",
    "/export.geojson",
    "/export.geojson?country=LT",
    "/export.timeline.json",
]
URLS = [
    *SHOW_THE_NEW_EVENT,
    "/export.csv?q=Patriot",
    "/feed/?category=warning",
    "/oembed/?url=http://testserver/?country=LT",
    "/about/",
    "/api/actors/",
    "/api/types/",
    "/api/countries/",
    "/api/regions/",
    "/api/tension/",
    "/api/changes/?limit=1",
]
NEW_SLUG = b"draft-becomes-news"


@pytest.fixture(params=["locmem", "redis"])
def reader_cache(request):
    """A fresh, empty cache of each kind, under a key prefix no other run shares."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    if request.param == "redis":
        location = request.getfixturevalue("redis_url")
        caches = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
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


def draft_reacting_to(shown: Event) -> Event:
    """A draft in Lithuania, with coordinates, reacting to `shown`: ready to be published."""
    draft = factories.event(
        slug=NEW_SLUG.decode(), title="A draft becomes news", date=D(2024, 3, 10), latitude=54.7, longitude=25.3
    )
    draft.location_country = shown.location_country
    draft.save()
    # Not NATO: two NATO deployments two days apart would be likely duplicates (events.duplicates).
    draft.event_actors.create(actor=factories.actor("Lithuania"), role="initiator")
    draft.sources.create(url="https://news.example/d", publisher="Example", title="d")
    factories.reaction(draft, shown)
    return draft


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, body(response)


@pytest.mark.parametrize("url", URLS)
def test_every_cached_url_is_one_query_warm_answers_304_and_changes_with_a_publish(client, reader_cache, shown, url):
    draft = draft_reacting_to(shown)
    first, first_body = get(client, url)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    assert first["ETag"] and first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]  # kept, asked each time
    assert NEW_SLUG not in first_body, "a draft is never in what readers are served"
    with CaptureQueriesContext(connection) as queries:
        again, again_body = get(client, url)
        not_modified = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again["X-Cache"] == "hit" and again_body == first_body
    assert again["Content-Type"] == first["Content-Type"]
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert len(queries) == 2, "each reads the data version, and nothing else"
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200

    services.publish_event(event=draft)
    changed, changed_body = get(client, url, **{"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["X-Cache"] == "miss"
    assert changed["ETag"] != first["ETag"]
    if url in SHOW_THE_NEW_EVENT:
        assert NEW_SLUG in changed_body


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


def test_editors_previews_never_fill_the_cache(client, reader_cache, shown):
    draft_reacting_to(shown)
    client.force_login(factories.staff_user("editor", role="Editor"))
    for url in ("/", "/events/draft-becomes-news/", "/events/warning/", "/api/events/"):
        assert client.get(url).status_code == 200 and not client.get(url).has_header("X-Cache")
    client.logout()
    assert client.get("/events/draft-becomes-news/").status_code == 404
    for url in ("/", "/events/warning/", "/api/events/"):
        page, page_body = get(client, url)
        assert page["X-Cache"] == "miss" and NEW_SLUG not in page_body


def test_the_address_is_the_key_with_its_scheme_and_the_api_media_type(client, reader_cache, shown):
    assert b"http://testserver/events/warning/" in body(client.get("/api/events/"))
    secure = client.get("/api/events/", secure=True)
    assert secure["X-Cache"] == "miss" and b"https://testserver/events/warning/" in body(secure)
    for accept in ("application/json", "application/geo+json"):
        first, _ = get(client, "/export.geojson", accept=accept)  # read whole: a stream is kept as it ends
        again, _ = get(client, "/export.geojson", accept=accept)
        assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
        assert first["Content-Type"] == again["Content-Type"] == accept


def test_a_source_check_moves_the_version_of_the_event_page(client, reader_cache, shown):
    from editorial.models import Finding, SourceSnapshot

    first = client.get("/events/warning/")
    SourceSnapshot.objects.create(source=shown.sources.get(), url="https://news.example/warning", finding=Finding.GONE)
    again = client.get("/events/warning/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again["X-Cache"] == "miss"


def test_a_body_past_the_bound_is_served_but_not_kept(client, reader_cache, shown, settings):
    settings.CACHE_MAX_ENTRY_BYTES = 1000
    first = client.get("/")
    assert len(first.content) > 1000
    again = client.get("/")
    assert again["X-Cache"] == "miss" and again.content == first.content
    assert client.get("/", headers={"if-none-match": again["ETag"]}).status_code == 304


def test_an_answer_carrying_a_csrf_token_is_never_kept(rf, reader_cache, shown):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from readers.caching import cached_for_readers

    @cached_for_readers
    def form(request):
        return HttpResponse(f"<form method=post><input name=csrfmiddlewaretoken value={get_token(request)}>")

    for _ in range(2):
        request = rf.get("/form/")
        request.user = AnonymousUser()
        response = form(request)
        assert response.status_code == 200 and not response.has_header("X-Cache")


def test_errors_are_not_cached(client, reader_cache, shown):
    for _ in range(2):
        response = client.get("/export.csv?date_from=not-a-date")
        assert response.status_code == 400 and not response.has_header("X-Cache")


@pytest.mark.parametrize("url", ["/export.csv?date_from=not-a-date", "/api/countries/?page_size=-1"])
def test_a_refused_request_gets_its_refusal_whatever_its_preconditions(client, reader_cache, shown, url):
    """RFC 9110 §13.2.1: only a request that succeeds is answered 304 (If-None-Match: *, a date)."""
    since = client.get("/")["Last-Modified"]
    for preconditions in ({"if-none-match": "*"}, {"if-modified-since": since}):
        response = client.get(url, headers=preconditions)
        assert response.status_code == 400 and not response.has_header("ETag")
    assert client.get("/", headers={"if-none-match": "*"}).status_code == 304


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

    monkeypatch.setattr(caching, "MAX_STREAMED_BYTES", 200)
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


def ask_concurrently(view, readers: int) -> list:
    """`readers` anonymous requests for the same cold address at once, each in its thread, at one data
    version (set on the request: the threads read no database); their answers."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import timezone

    from events.selectors import RecordVersion

    version = RecordVersion(1, timezone.now())
    address = f"/spike/{uuid.uuid4().hex}/"

    def ask(_):
        request = RequestFactory().get(address, headers={"accept-encoding": "gzip"})
        request.user, request.record_version = AnonymousUser(), version
        return view(request)

    with ThreadPoolExecutor(readers) as pool:
        return list(pool.map(ask, range(readers)))


@pytest.fixture
def waiting(monkeypatch):
    """A semaphore released by each request that finds the page being rendered and waits for it."""
    from readers import caching

    arrived = threading.Semaphore(0)
    wait = caching._rendered_meanwhile

    def counted(key, encoding):
        arrived.release()
        return wait(key, encoding)

    monkeypatch.setattr(caching, "_rendered_meanwhile", counted)
    return arrived


READERS = 8


def test_a_spike_of_readers_on_a_cold_page_renders_it_once(reader_cache, waiting):
    from django.http import HttpResponse

    from readers.caching import cached_for_readers

    renders = []

    @cached_for_readers
    def page(request):
        renders.append(request)
        for _ in range(READERS - 1):  # every other reader is waiting for this render before it ends
            assert waiting.acquire(timeout=30)
        return HttpResponse(b"The timeline, " * 100)

    answers = ask_concurrently(page, READERS)
    assert len(renders) == 1
    assert [answer.status_code for answer in answers] == [200] * READERS
    assert sorted(answer["X-Cache"] for answer in answers) == ["hit"] * (READERS - 1) + ["miss"]
    assert len({answer.content for answer in answers}) == 1 and answers[0]["Content-Encoding"] == "gzip"


def test_readers_waiting_on_a_render_that_keeps_nothing_render_their_own(reader_cache, waiting):
    from django.http import HttpResponseNotFound

    from readers.caching import cached_for_readers

    renders = []

    @cached_for_readers
    def missing(request):
        renders.append(request)
        if len(renders) == 1:
            for _ in range(READERS - 1):
                assert waiting.acquire(timeout=30)
        return HttpResponseNotFound(b"No such page")

    answers = ask_concurrently(missing, READERS)
    assert len(renders) == READERS, "an error is never shared: each waiting reader gets its own"
    assert {answer.status_code for answer in answers} == {404}


def test_the_first_level_serves_a_shared_cache_entry_until_the_data_version_moves(client, reader_cache, shown):
    """With Redis, each process keeps the pages it served: emptied, Redis still has them answered from the
    process's memory, for as long as the data version stands. Local memory has no first level."""
    from django.conf import settings

    first, first_body = get(client, "/map/", **{"accept-encoding": "gzip"})
    assert first["X-Cache"] == "miss"
    if reader_cache == "redis":
        import redis

        shared = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        shared.delete(*shared.keys(f"{settings.CACHES['default']['KEY_PREFIX']}:*"))
    else:
        from django.core.cache import cache

        cache.clear()
    again, again_body = get(client, "/map/", **{"accept-encoding": "gzip"})
    assert again["X-Cache"] == ("hit" if reader_cache == "redis" else "miss") and again_body == first_body

    services.publish_event(event=draft_reacting_to(shown))
    changed, changed_body = get(client, "/map/", **{"accept-encoding": "gzip"})
    assert changed["X-Cache"] == "miss" and changed_body != first_body


def test_the_first_level_holds_a_bounded_amount(reader_cache, monkeypatch):
    from readers import first_level

    if reader_cache != "redis":
        pytest.skip("no first level in front of local memory")
    monkeypatch.setattr(first_level, "FIRST_LEVEL_BYTES", 1000)
    monkeypatch.setattr(first_level, "LARGEST_BODY", 500)
    for name in "abc":
        first_level.put(f"bound:{name}", {"content": b"x" * 400, "headers": {}})
    first_level.put("bound:large", {"content": b"x" * 600, "headers": {}})
    assert first_level.get("bound:a") is None, "the least recently used went first"
    assert first_level.get("bound:b") and first_level.get("bound:c")
    assert first_level.get("bound:large") is None, "a body past the largest is left to the shared cache"
