"""A pair's page in Chromium, on the demo record: both sides on one axis, each dot a link, no serious
accessibility violation. With DYAD_SCREENSHOT set, the page is saved there (docs/screenshots/dyad.png)."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from events.dyads import dyad
from tests.test_browser_a11y import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOT = os.environ.get("DYAD_SCREENSHOT", "")


def test_lithuania_and_russia_on_one_axis(browser, demo_site):
    pair = dyad(a="lithuania", b="russia")
    context = browser.new_context(base_url=demo_site.url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(reverse("events:dyad", args=["lithuania", "russia"]))
    axis = page.locator(".dyad-svg .axis").bounding_box()
    above = [box["y"] for box in (dot.bounding_box() for dot in page.locator(".dyad-svg .side-a").all())]
    below = [box["y"] for box in (dot.bounding_box() for dot in page.locator(".dyad-svg .side-b").all())]
    assert (len(above), len(below)) == (len(pair.a.events), len(pair.b.events))
    assert max(above) < axis["y"] < min(below)
    assert page.locator(".dyad-svg .reaction").count() == len(pair.exchanges)
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=False)
    assert violations(page) == []
    context.close()
