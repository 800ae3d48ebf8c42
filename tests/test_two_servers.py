"""Two app servers, one truth: two gunicorn servers (the production command, DEBUG off) share one
PostgreSQL database and one Redis (CACHE_URL). What one caches the other serves; an event published
through one's admin is served by both at once, and no cached page or 304 outlives the data version on
either. PostgreSQL only (SQLite is one machine's file); Redis missing: skip locally, fail in CI."""

from __future__ import annotations

import http.cookiejar
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from events import services
from events.models import Event
from events.roles import PUBLISHER
from events.taxonomy import ensure_event_types
from tests import factories
from tests.servers import Gunicorn, get

NEWS = b"Lithuania reports a drone over Vilnius"
# The site's one name, as a load balancer in front of both servers passes it on (the cache's keys hold it).
HOST = "timeline.test"


@pytest.fixture
def record_for_servers(transactional_db, postgres_only):
    """Committed rows (the servers are other processes): a published event, a draft ready to publish and
    a Publisher. The flush after a transactional test empties the taxonomy migration 0002 loaded: put it back."""
    ensure_event_types()
    factories.published_event(slug="patriot", title="Patriot systems for Lithuania")
    draft = factories.event(slug="drone", title=NEWS.decode(), type="official-warning")
    draft.event_actors.create(actor=factories.actor("Lithuania"), role="initiator")
    draft.sources.create(url="https://news.example/drone", publisher="Example", title="Drone")
    factories.staff_user("publisher", role=PUBLISHER, password="pw")
    return draft


@pytest.fixture
def two_servers(record_for_servers, redis_url, tmp_path):
    settings = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}",
        "CACHE_URL": redis_url,
        "ALLOWED_HOSTS": f"127.0.0.1,{HOST}",
        "CACHE_KEY_PREFIX": f"two-servers-{uuid.uuid4().hex[:12]}",  # a cache no other run shares
    }
    servers = [Gunicorn(env=env, log=tmp_path / f"gunicorn-{name}.log") for name in "ab"]
    with ThreadPoolExecutor(2) as pool:  # both at once, started and stopped: each takes a few seconds
        starts = [pool.submit(server.__enter__) for server in servers]
        started = [server for server, start in zip(servers, starts, strict=True) if start.exception() is None]
        try:
            for start in starts:
                start.result()
            yield servers
        finally:
            list(pool.map(lambda server: server.__exit__(None, None, None), started))


def publish_through_the_admin(server: Gunicorn, event: Event) -> None:
    """Sign in as the Publisher and run the change list's publish action, as a browser would post it."""
    cookies = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))

    def post(path: str, fields: dict[str, str]) -> None:
        token = next(cookie.value for cookie in cookies if cookie.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        with browser.open(f"{server.url}{path}", data=data, timeout=30) as response:
            assert response.status == 200, path

    browser.open(f"{server.url}/admin/login/", timeout=30).read()
    post("/admin/login/?next=/admin/", {"username": "publisher", "password": "pw"})
    post("/admin/events/event/", {"action": "publish", "_selected_action": str(event.pk)})


def read(server: Gunicorn, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return get(f"{server.url}{path}", headers={"Host": HOST, **headers})


def test_a_change_published_through_one_server_is_served_by_both_at_once(two_servers, record_for_servers):
    a, b = two_servers
    status, first, page = read(a, "/")
    assert status == 200 and first["X-Cache"] == "miss" and NEWS not in page
    status, shared, _ = read(b, "/")
    assert status == 200 and shared["X-Cache"] == "hit", "b serves what a cached: one Redis"
    assert shared["ETag"] == first["ETag"]

    publish_through_the_admin(a, record_for_servers)
    record_for_servers.refresh_from_db()
    assert record_for_servers.status == Event.Status.PUBLISHED

    for server in (b, a):  # b first: it learns of the change from the database, not from a
        for path in ("/", "/api/events/", "/events/drone/"):
            status, headers, page = read(server, path, **{"If-None-Match": first["ETag"]})
            assert status == 200 and NEWS in page, (server.url, path)

    services.retract_event(event=record_for_servers, note="The object was a balloon.")
    status, headers, page = read(b, "/export.csv")
    assert status == 200 and NEWS not in page
    status, headers, page = read(a, "/export.csv")
    assert status == 200 and NEWS not in page and headers["X-Cache"] == "hit", "a serves what b cached"
