"""The front page's opening block in Chromium, on the demo record: above the chart on a desktop and a phone,
its figures those of the record, the data links below the chart. With FRONT_BLOCK_SCREENSHOT set, the top
of the page is saved there (docs/screenshots/front-block.png)."""

from __future__ import annotations

import os

import pytest
from django.http import QueryDict
from playwright.sync_api import expect

from events.selectors import event_filter, tension_now
from events.summary import summary_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOT = os.environ.get("FRONT_BLOCK_SCREENSHOT", "")


@pytest.fixture
def reader(browser, demo_site, request):
    context = browser.new_context(base_url=demo_site.url, viewport=request.param)
    page = context.new_page()
    yield page
    context.close()


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


@pytest.mark.parametrize(
    "reader", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"], indirect=True
)
def test_the_block_tells_the_record_and_its_tension_now_above_the_chart(reader):
    filterset = event_filter(params=QueryDict(""))
    now = tension_now(filterset=filterset, totals=summary_for(filterset).daily_totals())
    page = reader
    page.goto("/")
    block = page.locator("#tension-now")
    expect(block).to_contain_text(f"index {now.index:.1f}".removesuffix(".0") + ", higher than")
    text = block.inner_text()
    assert "security events in the Baltic Sea region" in text
    assert f"higher than on {now.percentile}% of days" in text
    assert f"{now.trend.arrow} {now.trend.month:%B %Y}: {now.trend.word.lower()}" in text
    assert [a.get_attribute("href") for a in block.locator(".now-top a").all()] == [
        event.get_absolute_url() for event in now.top
    ]
    assert box(page, "#tension-now")["y"] + box(page, "#tension-now")["height"] <= box(page, ".chart-stage")["y"]
    assert box(page, "#data-links")["y"] >= box(page, ".chart-stage")["y"] + box(page, ".chart-stage")["height"]
    width = page.viewport_size["width"]
    assert box(page, "#tension-now")["x"] + box(page, "#tension-now")["width"] <= width, "no sideways scrolling"
    if SCREENSHOT and width > 1000:
        page.locator("#timeline-chart.chart-ready").wait_for()
        results = box(page, ".results")
        chart = box(page, ".chart-stage")
        page.screenshot(
            path=SCREENSHOT,
            clip={"x": results["x"], "y": 0, "width": results["width"], "height": chart["y"] + chart["height"]},
        )
