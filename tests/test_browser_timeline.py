"""The timeline in Debian's headless Chromium: the chart draws, filters narrow it, clicks open pages."""

from __future__ import annotations

import re

import plotly.offline
import pytest
from django.http import QueryDict

from events.models import Actor, Event, EventQuerySet
from events.selectors import event_filter

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

EVENT_POINTS = "#timeline-chart g.subplot.xy .scatterlayer path.point"
INDEX_POINTS = "#timeline-chart g.subplot.xy2 .scatterlayer path.point"


@pytest.fixture
def site(demo_site):
    """The pages only read: the demo record is committed once for them all (tests/conftest.py, demo_site)."""
    return demo_site


@pytest.fixture
def demo(site):
    """The demo record, served by `site`."""


def shown(query: str) -> EventQuerySet:
    return event_filter(params=QueryDict(query)).qs


def click_centre(page, locator) -> None:
    box = locator.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_the_chart_draws_the_demo_events_and_filtering_by_an_actor_narrows_chart_and_table(page, demo):
    everything = shown("").count()
    assert everything > 40
    page.goto("/")
    page.wait_for_selector("#timeline-chart.chart-ready")
    assert page.locator(EVENT_POINTS).count() == everything
    assert page.locator(INDEX_POINTS).count() > 10
    assert page.evaluate("window.Plotly.version") == plotly.offline.get_plotlyjs_version()
    assert page.locator("table.events tbody tr").count() == min(everything, 50)

    russia_only = shown("actor=russia").count()
    assert 0 < russia_only < everything
    page.check("input[name=actor][value=russia]")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"actor=russia"))
    page.wait_for_selector("#timeline-chart.chart-ready")
    assert page.locator(EVENT_POINTS).count() == russia_only
    assert page.locator("table.events tbody tr").count() == min(russia_only, 50)
    assert Actor.objects.get(slug="russia").name in page.locator("h1.summary").inner_text()
    assert page.console_errors == []


def test_clicking_a_point_opens_its_event_page(page, demo):
    page.goto("/?category=de_escalation")
    page.wait_for_selector("#timeline-chart.chart-ready")
    titles = set(shown("category=de_escalation").values_list("title", flat=True))
    click_centre(page, page.locator(EVENT_POINTS).first)
    page.wait_for_url(re.compile(r"/events/[\w-]+/\?back=category%3Dde_escalation$"))  # the way back kept
    assert page.locator("h1").inner_text() in titles
    assert page.console_errors == []


def test_clicking_the_index_lists_the_events_of_its_window(page, demo):
    page.goto("/")
    page.wait_for_selector("#timeline-chart.chart-ready")
    click_centre(page, page.locator(INDEX_POINTS).nth(5))
    heading = page.locator("#tension-window h2")
    heading.wait_for()
    assert re.match(r"30 days to \d+ \w+ \d{4}: index -?\d", heading.inner_text())
    assert page.url.endswith("/")  # shown in place, not a new page
    assert page.locator("#tension-window ol.contributions li").count() >= 1
    assert page.console_errors == []


def test_the_page_works_without_javascript(browser, site, demo):
    context = browser.new_context(base_url=site.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/?actor=nato&sort=-escalation")
    rows = page.locator("table.events tbody tr")
    expected = shown("actor=nato&sort=-escalation")
    assert rows.count() == min(expected.count(), 50)
    first = expected.first()
    assert rows.first.locator("a").inner_text() == first.title
    rows.first.locator("a").click()
    assert page.locator("h1").inner_text() == Event.objects.get(pk=first.pk).title
    context.close()
