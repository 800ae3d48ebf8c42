"""When the database cannot be reached, requests fail fast with 503 and Retry-After, logged once each;
when it returns, the running server recovers by itself; a streamed export that loses it mid-way is cut
off visibly. Against the production server (gunicorn, DEBUG off) and a real PostgreSQL, reached through
a proxy the test takes away and brings back."""

from __future__ import annotations

import datetime
import http.client
import time

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event
from events.taxonomy import ensure_event_types
from tests import factories
from tests.servers import Gunicorn, TcpProxy, get

CONNECT_TIMEOUT = 2  # DATABASE_CONNECT_TIMEOUT for these servers
# Bounds, not timings: far above the timeout, far below the 30 s a worker used to hang.
FAIL_FAST_BOUND = 10
RECOVERY_BOUND = 20
OUTAGE_LINE = "database unavailable: GET / answered 503"


def wait_for_health(url: str, status: int, bound: float) -> None:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if get(f"{url}/healthz", timeout=bound)[0] == status:
            return
        time.sleep(0.25)
    raise AssertionError(f"/healthz did not answer {status} within {bound} s")


def assert_outage(url: str) -> None:
    started = time.monotonic()
    status, headers, body = get(f"{url}/")
    assert time.monotonic() - started < FAIL_FAST_BOUND
    assert status == 503
    assert headers["Retry-After"] == "10"
    assert b"The record is unavailable for a moment" in body


def test_an_unreachable_sqlite_file_is_a_503_and_static_files_still_serve(tmp_path):
    missing = tmp_path / "no-such-directory" / "db.sqlite3"
    with Gunicorn(
        env={"DATABASE_URL": f"sqlite:///{missing}", "DJANGO_SETTINGS_MODULE": "tests.settings"},
        log=tmp_path / "gunicorn.log",
    ) as server:
        assert_outage(server.url)
        assert get(f"{server.url}/healthz")[0] == 503
        assert get(f"{server.url}/export.csv")[0] == 503  # a stream that cannot start is a 503 too
        assert get(f"{server.url}/static/css/site.css")[0] == 200
        output = server.output()
    assert output.count(OUTAGE_LINE) == 1
    assert "Traceback" not in output


@pytest.fixture
def record_for_a_server(transactional_db, postgres_only):
    """Committed rows (the server is another process) in this run's PostgreSQL test database.

    The flush after a transactional test empties the taxonomy that migration 0002 loaded: put it back."""
    ensure_event_types()
    factories.published_event(slug="patriot", title="Patriot systems for Lithuania")
    kind = factories.event_type("official-warning")
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            slug=f"warning-{n}",
            title=f"Warning {n} against more foreign forces stationed near the border",
            summary="Russia warned against the stationing of additional foreign forces; it would respond. " * 3,
            date=datetime.date(2000, 1, 1) + datetime.timedelta(days=n),
            event_type=kind,
            escalation=kind.default_escalation,
            status=Event.Status.PUBLISHED,
            published_at=now,
        )
        for n in range(1500)
    )
    settings = connection.settings_dict
    return settings["NAME"], (settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432))


@pytest.fixture
def server_behind_proxy(record_for_a_server, tmp_path):
    name, upstream = record_for_a_server
    proxy = TcpProxy(upstream)
    env = {
        "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@127.0.0.1:{proxy.port}/{name}",
        "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    with Gunicorn(env=env, log=tmp_path / "gunicorn.log") as server:
        yield server, proxy
    proxy.close()


def test_a_database_that_goes_away_answers_503_and_comes_back_without_a_restart(server_behind_proxy):
    server, proxy = server_behind_proxy
    # Nothing listens where the database should be.
    assert_outage(server.url)
    assert get(f"{server.url}/healthz")[0] == 503
    status, headers, _ = get(f"{server.url}/export.csv")
    assert (status, headers["Retry-After"]) == (503, "10")
    # It starts: the same server answers, no restart.
    proxy.up()
    wait_for_health(server.url, 200, RECOVERY_BOUND)
    assert get(f"{server.url}/")[0] == 200
    assert get(f"{server.url}/events/patriot/")[0] == 200
    # It goes away under a running pool, then returns.
    proxy.down()
    assert_outage(server.url)
    proxy.up()
    wait_for_health(server.url, 200, RECOVERY_BOUND)
    assert get(f"{server.url}/")[0] == 200
    output = server.output()
    assert output.count(OUTAGE_LINE) == 2, output
    assert "Traceback" not in output


def test_a_database_that_never_answers_fails_fast(server_behind_proxy):
    server, proxy = server_behind_proxy
    proxy.silent()  # accepts the connection, then nothing: only the connect timeout ends the wait
    assert_outage(server.url)


def test_an_export_that_loses_the_database_mid_way_is_cut_off_not_finished(server_behind_proxy):
    server, proxy = server_behind_proxy
    proxy.up()
    wait_for_health(server.url, 200, RECOVERY_BOUND)
    status, _, whole = get(f"{server.url}/export.csv")
    assert status == 200 and whole.count(b"\r\n") == 1502  # header and every event
    proxy.cut_after(len(whole) // 3)
    client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    client.request("GET", "/export.csv")
    response = client.getresponse()
    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"
    with pytest.raises(http.client.IncompleteRead) as cut:
        response.read()
    assert 0 < len(cut.value.partial) < len(whole)
