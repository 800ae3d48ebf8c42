"""The reader on a phone (390 × 844, touch): nothing scrolls sideways, the chart's controls do not
overlap, targets are big enough, the page does not jump when plotly.js arrives late, and a tap on a
marker says what it is before it opens."""

from __future__ import annotations

import re

import pytest

from events.models import Event
from tests.browser_helpers import OBSERVE_LAYOUT_SHIFT, PLOTLY

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
EVENT_POINTS = "#timeline-chart g.subplot.xy .scatterlayer path.point"
MINIMUM_TARGET = 24  # WCAG 2.2 target size (minimum)
PRIMARY_TARGET = 44  # the controls a reader uses most: fold the filters, show events, open an event
# Two taps closer than Plotly's doubleClickDelay (300 ms) are a double tap, "reset the zoom": a reader's
# second tap comes later than that.
SECOND_TAP_AFTER_MS = 500


@pytest.fixture
def phone(browser, demo_site):
    """The demo record, only read: committed once for all such tests (tests/conftest.py, demo_site)."""
    context = browser.new_context(
        base_url=demo_site.url, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1
    )
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


# What a too-small target is called in the failure: its label, text or name; an SVG shape (a legend
# entry's toggle), its entry's text.
NAME = """t => t.getAttribute("aria-label") || t.textContent.trim() || t.getAttribute("name")
  || t.parentNode.textContent.trim()"""


def ask_for_the_tools(page) -> None:
    """On a touch screen plotly.js (zoom, periods, the toolbar) comes when the reader asks for it."""
    page.tap("#chart-tools")
    page.wait_for_selector("#timeline-chart.chart-ready")


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def small_targets(page, selector: str, minimum: int) -> list[str]:
    too_small = []
    for target in page.locator(selector).all():
        if not target.is_visible():
            continue
        box = target.bounding_box()
        if box["width"] < minimum - 0.5 or box["height"] < minimum - 0.5:
            label = target.evaluate(NAME)
            too_small.append(f"{label!r}: {box['width']:.0f}×{box['height']:.0f}")
    return too_small


def test_the_timeline_fits_a_phone_its_controls_do_not_overlap_and_are_big_enough(phone):
    page = phone
    page.goto("/")
    ask_for_the_tools(page)
    assert horizontal_overflow(page) <= 0
    assert not page.locator("#filters-panel").evaluate("d => d.open"), "folded on a phone"

    # Plotly's toolbar and the range buttons: apart, and each button at least 24 px.
    toolbar = page.locator("#timeline-chart .modebar").bounding_box()
    ranges = page.locator("#timeline-chart .rangeselector").bounding_box()
    assert not overlap(toolbar, ranges), (toolbar, ranges)
    assert small_targets(page, "#timeline-chart .modebar-btn", MINIMUM_TARGET) == []
    assert small_targets(page, "#timeline-chart .rangeselector .button", MINIMUM_TARGET) == []
    # The legend's entries are toggles too, whole inside the chart; the y axes' titles clear of their ticks.
    chart = page.locator("#timeline-chart").bounding_box()
    assert small_targets(page, "#timeline-chart .legend rect.legendtoggle", MINIMUM_TARGET) == []
    assert inside(page.locator("#timeline-chart .legend").bounding_box(), chart)
    ticks = page.locator("#timeline-chart .ytick text, #timeline-chart .y2tick text").all()
    for title in page.locator("#timeline-chart .ytitle, #timeline-chart .y2title").all():
        assert not any(overlap(title.bounding_box(), tick.bounding_box()) for tick in ticks), title.text_content()

    # The table is a list of cards: every cell inside the screen, each labelled.
    first_row = page.locator("table.events tbody tr").first
    for cell in first_row.locator("td").all():
        if cell.is_visible():
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell.get_attribute("data-label")
    labels = first_row.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert '"Escalation: "' in labels and '"Verification: "' in labels, labels

    # The primary targets are 44 px tall; the form's every control at least 24 px once unfolded.
    assert small_targets(page, "#filters-panel > summary, table.events td.title a", PRIMARY_TARGET) == []
    page.tap("#filters-panel > summary")
    assert page.locator("#filters-panel").evaluate("d => d.open")
    assert small_targets(page, "button[type=submit]", PRIMARY_TARGET) == []
    assert small_targets(page, "#filters-panel input, #filters-panel select", MINIMUM_TARGET) == []
    assert horizontal_overflow(page) <= 0
    assert page.console_errors == []


def test_the_maps_controls_are_big_enough_and_none_of_them_does_nothing(phone):
    page = phone
    page.goto("/map/")
    page.wait_for_selector("#event-map.map-ready")
    controls = "#event-map .modebar-btn, #event-map .legend rect.legendtoggle, #month-step input"
    assert page.locator(controls).count() >= 3
    assert small_targets(page, controls, MINIMUM_TARGET) == []
    titles = page.locator("#event-map .modebar-btn").evaluate_all("buttons => buttons.map(b => b.dataset.title)")
    assert "Download plot as a PNG" in titles
    assert not [title for title in titles if title.startswith("Share")], "an upload to Plotly Cloud, off this site"
    assert horizontal_overflow(page) <= 0
    assert page.console_errors == []


def test_an_event_page_and_about_fit_a_phone(phone):
    page = phone
    event = Event.objects.public().order_by("-date").first()
    for path in (event.get_absolute_url(), "/about/"):
        page.goto(path)
        assert horizontal_overflow(page) <= 0, path
    # The taxonomy is readable: each row's cells inside the screen.
    for cell in page.locator("table.taxonomy tbody tr").first.locator("td").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]


def test_the_page_does_not_move_when_plotly_arrives_late(phone):
    page = phone
    held = []
    page.route(PLOTLY, lambda route: held.append(route))  # plotly.js held back, as on a slow connection
    page.goto("/", wait_until="commit")
    page.wait_for_selector("#summary")
    page.evaluate(OBSERVE_LAYOUT_SHIFT)
    page.wait_for_function("document.querySelector('table.events tbody tr') !== null")
    page.wait_for_timeout(500)
    before = page.locator("#summary").bounding_box()
    assert not page.locator("#filters-panel").evaluate("d => d.open"), "folded before any script ran"
    assert not held, "on a touch screen plotly.js is loaded only when asked for"
    page.tap("#chart-tools")
    page.wait_for_timeout(600)  # past the 500 ms in which a shift counts as caused by the tap
    assert held, "plotly.js was requested and is being held"
    for route in held:
        route.continue_()
    page.wait_for_selector("#timeline-chart.chart-ready")
    page.wait_for_timeout(300)
    assert page.locator("#summary").bounding_box() == before
    assert page.evaluate("window.layoutShift") < 0.01


def test_a_tap_on_a_marker_shows_the_event_and_a_second_tap_opens_it(phone):
    page = phone
    page.goto("/?category=de_escalation")
    ask_for_the_tools(page)
    titles = set(Event.objects.public().filter(event_type__category="de_escalation").values_list("title", flat=True))
    marker = page.locator(EVENT_POINTS).first
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.touchscreen.tap(*centre)
    pick = page.locator("#chart-pick")
    pick.wait_for(state="visible")
    link = pick.locator("a")
    title = link.inner_text()
    assert title in titles
    assert re.search(r"\d{4}", pick.inner_text()), "the date is shown"
    assert "/events/" in link.get_attribute("href")
    assert page.url.endswith("/?category=de_escalation"), "the first tap does not leave the page"
    page.wait_for_timeout(SECOND_TAP_AFTER_MS)
    page.touchscreen.tap(*centre)
    page.wait_for_url(re.compile(r"/events/[\w-]+/\?back=category%3Dde_escalation$"))
    assert page.locator("h1").inner_text() == title
    assert page.console_errors == []


def tap_and_check_the_label(page, marker) -> str:
    """Tap `marker`: its hover label lies inside the chart and holds every word of the title of the event
    picked (wrapped onto lines, not cut). That title."""
    page.wait_for_timeout(SECOND_TAP_AFTER_MS)
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator("#timeline-chart .hoverlayer .hovertext")
    label.wait_for()
    assert inside(label.bounding_box(), page.locator("#timeline-chart").bounding_box())
    title = page.locator("#chart-pick a").inner_text()
    words = label.text_content()
    assert all(word in words for word in title.split()), (title, words)
    return title


def test_the_label_of_a_tapped_marker_fits_the_chart_with_its_whole_title(phone):
    page = phone
    page.goto("/")
    ask_for_the_tools(page)
    for marker in (page.locator(EVENT_POINTS).first, page.locator(EVENT_POINTS).last):  # at either edge
        tap_and_check_the_label(page, marker)
    # The longest title, alone in its day's view: its marker in the middle, the least room on either side.
    longest = max(Event.objects.filter(status=Event.Status.PUBLISHED), key=lambda event: len(event.title))
    day = longest.date.isoformat()
    page.goto(f"/?date_from={day}&date_to={day}")
    ask_for_the_tools(page)
    assert tap_and_check_the_label(page, page.locator(EVENT_POINTS).first) == longest.title
    assert page.console_errors == []
