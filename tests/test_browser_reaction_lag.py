"""Each reaction row of the event form says how long after the event it responds to this one came, as
the editor picks that event or types the date (static/admin/events/reaction_lag.js)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.taxonomy import ensure_event_types
from tests import factories
from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lag_is_shown_as_the_editor_picks_the_event_and_types_the_date(page, live_server):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    iskanders = factories.published_event(title="Iskanders moved to Kaliningrad", date=datetime.date(2024, 3, 1))
    sign_in(page, "edna", reverse("admin:events_event_add"))

    page.fill("#id_date", "2024-03-08")
    page.click("#reaction_links-group .add-row a")
    with page.expect_response(lambda response: "/respondable/" in response.url):
        page.click("#id_reaction_links-0-responds_to + .select2 .select2-selection")
    page.click(f".select2-results__option >> text={iskanders.title}")
    lag = page.locator("#reaction_links-0 .reaction-lag")
    expect(lag).to_have_text("7 days after the event it responds to.")
    page.fill("#id_date", "2024-03-01")
    expect(lag).to_have_text("The same day as the event it responds to.")
    assert page.console_errors == []


def test_a_saved_links_lag_is_shown_as_the_form_opens(page, live_server):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    earlier = factories.published_event(title="Iskanders moved to Kaliningrad", date=datetime.date(2024, 3, 1))
    event = factories.event(date=datetime.date(2024, 3, 2))
    factories.reaction(event, earlier)
    sign_in(page, "edna", reverse("admin:events_event_change", args=[event.pk]))

    assert page.locator("#reaction_links-0 .reaction-lag").inner_text() == "1 day after the event it responds to."
