"""The keyboard-only reader: skip to the results or to the events (the first event a few Tab presses from
the top), reach an index window and an event by Tab and Enter,
come back to the same filtered view, land on the results after filtering, and see where focus is,
Plotly's controls included."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

MAX_TABS = 120
# From the top of `/` to the first event: fewer Tab presses than this (issue 22 measured 91 without a way round).
TABS_TO_AN_EVENT = 15
FIRST_EVENT = "table.events td.title a"


@pytest.fixture
def keyboard_reader(browser, demo_site):
    """The demo record, only read: committed once for all such tests (tests/conftest.py, demo_site)."""
    context = browser.new_context(base_url=demo_site.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str) -> int:
    """Press Tab until the focus is on `selector`; how many presses it took."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} not reached in {MAX_TABS} Tab presses")


def open_the_focused_event(page, address: str) -> str:
    """Enter on the focused link to an event: its page, at `address`, is the event it named."""
    title = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(address))
    assert page.locator("h1").inner_text() == title
    return title


def back_to_the_timeline(page, address: str) -> None:
    tab_to(page, ".breadcrumb a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(address))


def tabs_to_the_first_event(page) -> int:
    """As a keyboard user from the top of the page: Tab to the skip link that says it goes to the events,
    Enter, Tab on to the first event. How many times Tab was pressed."""
    presses = tab_to(page, ".skip-link[href='#events']")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the events"
    page.keyboard.press("Enter")
    return presses + tab_to(page, FIRST_EVENT)


def test_the_first_event_is_a_few_tab_presses_from_the_top_and_again_after_coming_back(keyboard_reader):
    page = keyboard_reader
    page.goto("/")
    page.wait_for_selector("#timeline-chart.chart-ready")
    assert tabs_to_the_first_event(page) < TABS_TO_AN_EVENT
    title = open_the_focused_event(page, r"/events/[\w-]+/$")
    back_to_the_timeline(page, r"/$")
    page.wait_for_selector("#timeline-chart.chart-ready")
    assert tabs_to_the_first_event(page) < TABS_TO_AN_EVENT
    assert page.evaluate("document.activeElement.textContent") == title
    assert page.console_errors == []


def test_from_the_timeline_to_an_index_window_to_an_event_and_back_with_the_filter_kept(keyboard_reader):
    page = keyboard_reader
    page.goto("/?actor=russia")
    page.wait_for_selector("#timeline-chart.chart-ready")
    # The second skip link jumps over the filters to the results.
    assert tab_to(page, ".skip-link[href='#summary']") == 2
    page.keyboard.press("Enter")
    assert tab_to(page, "#tension-now a") == 1, "the next Tab is in the results, not in the filter form"

    # The index's peaks are links: Enter opens the events of that 30-day window.
    tab_to(page, ".peaks a")
    peak = page.evaluate("document.activeElement.textContent")
    assert re.fullmatch(r"index \d+(\.\d)? in the 30 days to \d+ \w+ \d{4}", peak), peak
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tension/\?actor=russia&end=\d{4}-\d\d-\d\d$"))
    assert page.locator("ol.contributions li").count() >= 1

    tab_to(page, "ol.contributions a")
    open_the_focused_event(page, r"/events/[\w-]+/\?back=actor%3Drussia$")
    back_to_the_timeline(page, r"/\?actor=russia$")
    assert page.is_checked("input[name=actor][value=russia]"), "the filter is still in force"
    assert page.console_errors == []


def test_after_filtering_the_focus_is_on_the_results_summary(keyboard_reader):
    page = keyboard_reader
    page.goto("/")
    page.wait_for_selector("#timeline-chart.chart-ready")
    tab_to(page, "#id_q")
    page.keyboard.type("Patriot")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Patriot.*#summary$"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'summary'")
    assert "“Patriot”" in page.evaluate("document.activeElement.textContent")

    # On a wide screen the panel is a disclosure that folds and unfolds again, by keyboard and by click.
    page.focus("#filters-panel > summary")
    page.keyboard.press("Enter")
    assert not page.locator("#filters-panel").evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert page.locator("#filters-panel").evaluate("d => d.open")
    page.click("#filters-panel > summary")
    page.click("#filters-panel > summary")
    assert page.locator("#id_q").is_visible()


def test_plotly_controls_take_the_focus_ring_and_work_from_the_keyboard(keyboard_reader):
    page = keyboard_reader
    page.goto("/")
    page.wait_for_selector("#timeline-chart.chart-ready")
    full = page.evaluate("document.getElementById('timeline-chart').layout.xaxis.range.slice()")
    # The range buttons are one Tab stop; the arrow keys move along them.
    tab_to(page, "#timeline-chart .rangeselector .button")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Show 1 month"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Show 1 year"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "full => document.getElementById('timeline-chart').layout.xaxis.range[0] !== full[0]", arg=full
    )
    start, end = page.evaluate("document.getElementById('timeline-chart').layout.xaxis.range")
    assert int(end[:4]) - int(start[:4]) in (0, 1), (start, end)
    assert tab_to(page, "#timeline-chart .modebar-btn") == 1, "the toolbar follows the range buttons, one Tab away"
    assert page.evaluate("document.activeElement.dataset.title") == "Download plot as a PNG"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.dataset.title") == "Reset axes"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.title") == "Download plot as a PNG", "round to the first"
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert ring == ["solid", "3px"]
    assert page.locator("#timeline-chart .modebar").evaluate("m => getComputedStyle(m).opacity") == "1"

    assert page.console_errors == []
