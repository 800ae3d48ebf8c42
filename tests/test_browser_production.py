"""The production command in Chromium: gunicorn with DEBUG off, static files from whitenoise (collected,
hashed, compressed), on the database this test run uses. The timeline draws its chart, an event page
opens from it, an editor signs in to the admin; no CSP violation, console error or failed request."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection

from events.taxonomy import ensure_event_types
from tests.servers import ROOT, Gunicorn, production_environment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PASSWORD = "a-long-and-unusual-passphrase-2024"
EVENT_POINTS = "#timeline-chart g.subplot.xy .scatterlayer path.point"


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600
    )


@pytest.fixture
def production(tmp_path, collected_static):
    """gunicorn as make serve starts it, on this run's database with the demo record and an admin."""
    env = {**production_environment(), "STATIC_ROOT": str(collected_static)}
    if connection.vendor == "postgresql":
        ensure_event_types()  # the flush after a transactional test empties what migration 0002 loaded
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'production.sqlite3'}"
        manage("migrate", "--noinput", env=env)
    manage("load_demo", "--if-empty", env=env)
    manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "admin",
        "--email",
        "admin@example.invalid",
        env={**env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
    )
    with Gunicorn(env=env, log=tmp_path / "gunicorn.log") as server:
        yield server


@pytest.fixture
def visit(browser, production):
    """A page on the production server that records every problem a reader's browser would see."""
    context = browser.new_context(base_url=production.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.static_responses = []
    # Nothing leaves the site: a request elsewhere (a CDN) is blocked, and recorded as a failed request.
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(production.url) else route.abort()
    )
    page.on("console", lambda msg: msg.type in ("error", "warning") and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on("requestfailed", lambda request: page.problems.append(f"failed: {request.url} {request.failure}"))

    def on_response(response):
        if response.status >= 400:
            page.problems.append(f"{response.status}: {response.url}")
        if "/static/" in response.url:
            page.static_responses.append(response)

    page.on("response", on_response)
    yield page
    context.close()


def test_timeline_event_page_and_admin_under_the_production_command(visit):
    page = visit
    page.goto("/")
    page.wait_for_selector("#timeline-chart.chart-ready")
    assert page.locator(EVENT_POINTS).count() > 50

    # Static files: hashed names, compressed, cached for a year.
    plotly_js = next(r for r in page.static_responses if "/vendor/plotly/" in r.url and r.url.endswith(".js"))
    headers = plotly_js.all_headers()
    assert plotly_js.status == 200
    assert headers["content-encoding"] in ("br", "gzip")
    assert "immutable" in headers["cache-control"] and "max-age=315360000" in headers["cache-control"]

    # An event page, opened from the table as a reader does.
    link = page.locator("table.events tbody tr td a").first
    title = link.inner_text()
    link.click()
    page.wait_for_url("**/events/**")
    assert page.locator("h1").first.inner_text() == title

    # The admin: sign in, the index, the events' change list.
    page.goto("/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto("/admin/events/event/")
    assert page.locator("#result_list tbody tr").count() == 50  # a full first page
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_selector("#event_form")
    page.wait_for_selector(".select2-container")  # the admin's autocomplete scripts ran

    assert page.problems == []
