"""An event form sent back with an error far down the page (a source row's address) scrolls to that
error and focuses its field (static/admin/events/first_error.js), instead of leaving the editor at
"Please correct the error below" at the top."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.taxonomy import ensure_event_types
from tests import factories
from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_scrolls_to_the_first_error_and_focuses_its_field(page, live_server):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    event = factories.event(title="Patriot systems to rotate through Lithuania")
    sign_in(page, "edna", reverse("admin:events_event_change", args=[event.pk]))

    page.fill("#id_sources-0-url", "not a web address")
    page.fill("#id_sources-0-publisher", "LRT English")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    page.wait_for_function("() => document.activeElement?.id === 'id_sources-0-url'")

    error = page.locator("#sources-0 .errorlist").first
    assert error.is_visible()
    in_view = "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"
    assert error.evaluate(in_view)
    assert page.evaluate("window.scrollY") > 0
    assert page.console_errors == []
