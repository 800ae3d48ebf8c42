"""The place name of the event form in Chromium: a name the gazetteer does not know says so and fills
nothing; a known one lists its places, the record's countries first, and the one picked fills the
coordinates (and the empty country). The whole entry, with Vilnius, is tests/test_browser_story_entry.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from editorial import gazetteer
from tests import factories
from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def gazetteer_read():
    """The app process reads its gazetteer once, on its first look-up (about a second): before the test,
    so that the page's waits measure the page."""
    gazetteer.suggest("Vilnius")


def test_an_unknown_place_fills_nothing_and_a_picked_one_fills_its_coordinates(page, live_server):
    factories.staff_user("edna", "Editor")
    estonia = factories.country("EE")
    sign_in(page, "edna", reverse("admin:events_event_add"))
    status = page.locator(".place-suggestions-status")

    page.locator("#id_location_name").press_sequentially("Xqzvillewick")
    expect(status).to_have_text("No match in the gazetteer: nothing filled. Type the coordinates if you know them.")
    expect(page.locator("#id_latitude")).to_have_value("")
    expect(page.locator("#id_longitude")).to_have_value("")

    page.fill("#id_location_name", "")
    page.locator("#id_location_name").press_sequentially("Tapa")
    places = page.locator(".place-suggestions button")
    expect(places.first).to_have_text("Tapa, Estonia (59.26056, 25.95861)")  # before Tapa, India: the record's
    expect(page.locator("#id_latitude")).to_have_value("")  # nothing before the editor picks
    places.first.click()
    expect(status).to_have_text("Coordinates of Tapa, Estonia filled from the gazetteer.")
    expect(page.locator("#id_latitude")).to_have_value("59.26056")
    expect(page.locator("#id_longitude")).to_have_value("25.95861")
    assert page.locator("#id_location_country").input_value() == str(estonia.pk)
    assert page.console_errors == []
