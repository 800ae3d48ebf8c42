from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import modify_settings
from pytest_django.live_server_helper import LiveServer

from tests.factories import MODULE_RECORDS, OPEN_RECORDS, once_per_module, roll_back_module_record

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Nothing the pages load leaves this machine: every request not to a loopback address goes to a proxy on a
# port where nothing listens (discard, 9) and fails there, in the browser itself, for every context of
# every browser test, with no round trip to Python per request as routing each one through the test
# (context.route) would cost.
OFFLINE_PROXY = {"server": "http://127.0.0.1:9", "bypass": "localhost,127.0.0.1"}
IN_CI = os.environ.get("CI", "").lower() == "true"
STATIC_COLLECTION = pytest.StashKey[threading.Thread]()


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    """Two orders pytest-django's own (transactional tests last) must respect:
    - within each module, the tests on a record built once for the module (factories.once_per_module) run
      after the others, those on the same record together: it is built at the first of them and rolled
      back after the last (pytest_runtest_teardown below);
    - the browser tests on the committed demo record (demo_site) run last of all: once it is committed, no
      other test may run on that database."""
    module_order = {}
    for item in items:
        module_order.setdefault(item.path, len(module_order))
    items.sort(key=lambda item: (module_order[item.path], sorted(MODULE_RECORDS.intersection(item.fixturenames))))
    result = yield
    items.sort(key=lambda item: "committed_demo_record" in item.fixturenames)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A record of once_per_module is rolled back after the last test on it, once the test's own
    transaction is: the module's next tests, on another record, must not see it."""
    result = yield
    for name in list(OPEN_RECORDS):
        if nextitem is None or nextitem.path != item.path or name not in nextitem.fixturenames:
            roll_back_module_record(name)
    return result


def pytest_collection_finish(session):
    """What the run keeps to its end is made by now: Django, the apps and the collected tests move to the
    collector's permanent generation (gc.freeze), so that no later collection walks them again. A test on
    the collected static files starts their collection now, in the background (tests/servers.py: costly
    when the cache is cold, so spread over the run rather than added at its end)."""
    gc.collect()
    gc.freeze()
    if any("collected_static" in item.fixturenames for item in session.items):
        from tests.servers import collect_static_in_background, static_sources_key

        session.config.stash[STATIC_COLLECTION] = collect_static_in_background(static_sources_key())


def pytest_unconfigure(config):
    # Not left running unsupervised: the next run would find it still writing where it collects.
    if STATIC_COLLECTION in config.stash:
        config.stash[STATIC_COLLECTION].join()


@pytest.fixture(scope="session")
def collected_static():
    """STATIC_ROOT as `make serve` fills it (tests/servers.py, collected_static_root)."""
    from tests.servers import collected_static_root, static_sources_key

    return collected_static_root(static_sources_key())


@once_per_module
def demo_record() -> None:
    """The demo record (load_demo takes seconds), once for the module: for tests that read what the
    committed one (demo) cannot serve them."""
    call_command("load_demo", verbosity=0)


@pytest.fixture
def demo(committed_demo_record, db):
    """The demo record, committed once for the run (committed_demo_record), under this test's own
    transaction: what the test writes is rolled back. Not for transactional tests, whose flush would take
    the record from the tests after them."""


@pytest.fixture(scope="session")
def committed_demo_record(django_db_setup, django_db_blocker):
    """The demo record committed once for the browser tests that only read it, which run last (above), and
    the database emptied after them (for --reuse-db). pytest-django's live_server would make each test
    transactional: the database emptied and the record loaded again for every test."""
    from tests.browser_helpers import load_demo_record

    with django_db_blocker.unblock():
        load_demo_record()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
    # As after a transactional test: this connection (opened while Playwright's event loop runs, so kept
    # apart from the thread's own) goes back to the pool, or PostgreSQL's test database cannot be dropped.
    connection.close()


@pytest.fixture(scope="session")
def reading_server(django_db_setup):
    """A live server (pytest-django's) that does not make its tests transactional, for demo_site."""
    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def demo_site(reading_server, committed_demo_record, db):
    """The demo record, committed once (committed_demo_record), on a live server. The test runs in a
    transaction of its own, rolled back after it, and must only read: on PostgreSQL the server's
    connections would commit what the pages write, for the next tests to see."""
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
        yield reading_server


@pytest.fixture
def site(live_server):
    """The server the browser fixtures (page) open: pytest-django's live server, the database emptied
    after each test. A module whose tests only read the demo record overrides it with demo_site."""
    return live_server


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: CI runs the suite on PostgreSQL too")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the cache tests share (TEST_REDIS_URL; .ci/run starts one): missing, skip locally, fail in CI."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        message = f"Redis is not answering at {url}: apt-get install redis-server"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no downloaded browser). Missing: skip locally, fail in CI."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
    # themselves are plain synchronous calls, so Django's async-safety guard does not apply.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default, actions 30 s: on a loaded 2-core machine a script's answer can take
    # longer than 5 s to show, which is no failure of ours.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            proxy=OFFLINE_PROXY,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()
        # The connection the tests used while Playwright's event loop ran (Django keeps it apart from the
        # thread's own) is closed here, inside that loop: left open, PostgreSQL's test database could not
        # be dropped at the end of the run.
        connection.close()


@pytest.fixture
def page(browser, site):
    """A fresh browser page that records console errors; the test fails if any appear."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def record(db):
    """A small public record with one reaction, a retraction, a draft and an event in review. Built for each
    test: transactional tests use it too (the live server's), which a record built once per module, in a
    transaction of its own, would not serve."""
    import datetime

    from events.models import Event, Region
    from tests import factories

    D = datetime.date
    lt, ru, pl = factories.country("LT"), factories.country("RU"), factories.country("PL")
    Region.objects.create(name="Baltic states", slug="baltic-states").countries.set([lt])
    patriot = factories.published_event(
        slug="patriot", title="Patriot systems for Lithuania", date=D(2024, 3, 8), location_country=lt
    )
    warning = factories.published_event(
        slug="warning",
        title="Russia warns",
        type="official-warning",
        date=D(2024, 3, 9),
        location_country=ru,
        initiator="Russia",
        target="NATO",
    )
    factories.reaction(warning, patriot)
    factories.published_event(
        slug="talks",
        title="Border talks",
        type="talks",
        date=D(2023, 6, 1),
        location_country=pl,
        initiator="Poland",
        verification=Event.Verification.CONFIRMED,
    )
    withdrawn = factories.published_event(slug="withdrawn", title="Withdrawn report", date=D(2024, 1, 5))
    withdrawn.status, withdrawn.retraction_note = Event.Status.RETRACTED, "The report was withdrawn."
    withdrawn.save()
    factories.event(slug="draft", title="Draft Patriot follow-up", date=D(2024, 3, 10), location_country=lt)
    factories.event(slug="review", title="Patriot under review", status=Event.Status.IN_REVIEW, date=D(2024, 3, 11))


@pytest.fixture(autouse=True)
def fresh_reader_cache():
    """Each test starts with an empty cache: between tests the database is emptied and refilled, which
    production never does, and a page cached for one test's record must not answer another's."""
    from django.core.cache import cache

    cache.clear()
