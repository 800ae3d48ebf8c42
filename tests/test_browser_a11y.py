"""axe-core (the engine behind Lighthouse's accessibility audit) run inside Chromium on the readers'
pages and the editors' forms: no critical or serious violation. axe comes from the axe-playwright-python
package and is injected from disk: nothing is fetched from the network."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from events.models import Event
from events.tension import index_peaks, tension_index
from tests import factories
from tests.browser_helpers import load_demo_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

BLOCKING = {"critical", "serious"}
AXE = Axe()


def violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['impact']} {v['id']}: {[node['target'] for node in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def pages_on(browser, server):
    """make(**options): a page in a new browser context that stays on `server`; closed at the end."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=server.url, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context_for(browser, demo_site):
    """Pages on the demo record, which the readers' pages only read (committed once: tests/conftest.py)."""
    yield from pages_on(browser, demo_site)


@pytest.fixture
def editor_context_for(browser, live_server):
    """Pages on the demo record for an editor, who signs in (a write): the live server of a transactional test."""
    load_demo_record()
    yield from pages_on(browser, live_server)


def check(page, path: str, ready: str | None = None) -> list[str]:
    page.goto(path)
    if ready:
        page.wait_for_selector(ready)
    return [f"{path}: {v}" for v in violations(page)]


def test_the_readers_pages_have_no_serious_violation_on_a_desktop_and_a_phone(context_for):
    event = Event.objects.public().filter(reaction_links__isnull=False).order_by("-date").first()
    peak = index_peaks(tension_index(Event.objects.public()))[0]
    pages = [
        ("/", "#timeline-chart.chart-ready"),
        ("/?actor=russia&category=warning&date_from=2022-01-01", "#timeline-chart.chart-ready"),
        ("/?date_from=2024-06-01&date_to=2024-01-01&escalation_min=99", None),  # errors shown
        (event.get_absolute_url() + "?back=actor%3Drussia", None),
        ("/about/", None),
        (f"/tension/?end={peak.day.isoformat()}", None),
        # Swagger UI's page: its language, contrast and links inside buttons are ours to fix.
        ("/api/docs/", ".opblock-summary-path"),
    ]
    found = []
    desktop = context_for(viewport={"width": 1280, "height": 900})
    for path, ready in pages:
        found += check(desktop, path, ready)
    # On a phone the layout differs (folded filters, the table as cards): the pages whose layout changes.
    # Its chart is the still picture, answering, until the reader asks for "Zoom and tools".
    phone = context_for(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    for path, ready in (("/", "#chart-tools:not([hidden])"), pages[3], pages[4]):
        found += check(phone, path, ready)
    assert found == []


def test_the_editors_forms_have_no_serious_violation(editor_context_for):
    factories.staff_user("pia", "Publisher")
    page = editor_context_for(viewport={"width": 1280, "height": 900})
    page.goto("/admin/login/")
    page.fill("#id_username", "pia")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")  # logged in: on a busy machine the next goto could beat the login's answer
    event = Event.objects.public().filter(reaction_links__isnull=False).order_by("-date").first()
    found = check(page, reverse("admin:events_event_change", args=[event.pk]))
    # A row added by the editor is named too (Select2 starts on it after the page has loaded).
    page.click("#event_actors-group .add-row a")
    page.wait_for_selector("#id_event_actors-" + str(event.event_actors.count()) + "-actor + .select2")
    found += [f"after adding a row: {v}" for v in violations(page)]
    found += check(page, reverse("admin:events_event_add"))
    found += check(page, reverse("admin:events_event_import"))
    found += check(page, reverse("admin:events_reaction_add"))
    assert found == []
