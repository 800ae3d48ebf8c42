"""'Fill from the page' in Chromium: an editor pastes a news article's URL in a source row of the event
form (and in the Source form), presses the button, and the publisher, title and date are filled from the
page's OpenGraph and JSON-LD, for the editor to confirm. The article comes from a local server, which
the test allows the server-side fetch to reach (SOURCE_FETCH_ALLOW_PRIVATE)."""

from __future__ import annotations

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from editorial.models import Finding
from events.taxonomy import ensure_event_types
from tests import factories
from tests.browser_helpers import sign_in
from tests.page_server import Answer, PageServer, article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = os.environ.get("SOURCE_LOOKUP_SCREENSHOT", "")


@pytest.fixture
def news(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    with PageServer() as server:
        server.pages["/news/patriot"] = Answer(article())
        yield server


def test_fill_from_the_page_fills_a_source_row_of_the_event_form(page, live_server, news):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    sign_in(page, "edna", reverse("admin:events_event_add"))

    page.fill("#id_sources-0-url", news.url("/news/patriot"))
    with page.expect_response(lambda response: "/source/lookup/" in response.url):
        page.click("#sources-0 button.fill-from-page")
    # The answer is in; the script fills the row just after it: expect() waits for that.
    expect(page.locator("#id_sources-0-publisher")).to_have_value("LRT English")
    title = "Lithuania to host Patriot air defence systems on rotation"
    expect(page.locator("#id_sources-0-title")).to_have_value(title)
    expect(page.locator("#id_sources-0-published_on")).to_have_value("2024-03-07")
    status = page.locator("#sources-0 .fill-from-page-status")
    expect(status).to_have_text(
        "Filled publisher, title, date from the page: check them before saving. The event's empty title and "
        "date were taken from it too: check that the date is the event's, not only the report's."
    )
    # A new event entered from its story: its own title and date, empty, start as the page's.
    expect(page.locator("#id_title")).to_have_value(title)
    expect(page.locator("#id_date")).to_have_value("2024-03-07")
    if SCREENSHOT:
        page.locator("#sources-0").screenshot(path=SCREENSHOT)

    # A page that cannot be read says why, in words, beside the button.
    page.fill("#id_sources-0-url", news.url("/gone"))
    with page.expect_response(lambda response: "/source/lookup/" in response.url):
        page.click("#sources-0 button.fill-from-page")
    expect(status).to_have_text(f"{news.url('/gone')} answered 404 Not Found: the page is gone.")
    # The browser logs the look-up's 502 answer itself; nothing else went wrong.
    assert [error for error in page.console_errors if "status of 502" not in error] == []


def test_fill_from_the_page_on_a_saved_source_keeps_a_copy_of_its_page(page, live_server, news):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    source = factories.event().sources.create(url=news.url("/news/patriot"), publisher="LRT")
    sign_in(page, "edna", reverse("admin:events_source_change", args=[source.pk]))

    with page.expect_response(lambda response: "/source/lookup/" in response.url):
        page.click("button.fill-from-page")
    expect(page.locator("#id_title")).to_have_value("Lithuania to host Patriot air defence systems on rotation")
    expect(page.locator(".fill-from-page-status")).to_have_text(re.compile(r"A copy of its text is kept\.$"))
    assert source.snapshots.get().finding == Finding.OK
    assert page.console_errors == []
