"""The chart at the first paint (static/js/chart-poster.js): its still picture answers hover, taps and clicks
before plotly.js has run, with the same labels and links plotly.js gives once it has; a zoom loads plotly.js
and keeps the view; nothing moves when plotly.js takes over; the chart is in the first screen."""

from __future__ import annotations

import re

import pytest

from tests.browser_helpers import OBSERVE_LAYOUT_SHIFT, PLOTLY, release_when_asked

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SECOND_TAP_AFTER_MS = 500  # a second tap sooner than plotly.js's doubleClickDelay is a double tap
LABEL = "#chart-poster .chart-hover:not([hidden])"
PLOTLY_LABEL = "#timeline-chart .hoverlayer .hovertext"

# Where a point of the figure (trace k, point i) is on the screen: in the picture, by the axes its <svg>
# states (readers/figures/poster.py axis_attributes); once plotly.js has drawn, its own marker's centre.
ON_PICTURE = """([k, i, figure = 'timeline-figure']) => {
  const svg = [...document.querySelectorAll('#chart-poster svg')].find(s => s.getBoundingClientRect().width > 0);
  const trace = JSON.parse(document.getElementById(figure).textContent).data[k];
  const axis = name => svg.getAttribute('data-' + name).split(' ').map(Number);
  const [xLow, xHigh, xStart, xEnd] = axis('x');
  const [yLow, yHigh, yStart, yEnd] = axis(trace.yaxis || 'y');
  const d = String(trace.x[i]).slice(0, 10).split('-');
  const day = Date.UTC(+d[0], d[1] - 1, +d[2]) / 864e5 + 719163;
  const at = new DOMPoint(xStart + (day - xLow) * (xEnd - xStart) / (xHigh - xLow),
                          yStart + (trace.y[i] - yLow) * (yEnd - yStart) / (yHigh - yLow));
  const p = at.matrixTransform(svg.getScreenCTM());
  return [p.x, p.y];
}"""
ON_PLOTLY = """([k, i]) => {
  const trace = document.querySelectorAll('#timeline-chart .scatterlayer .trace')[k];
  const r = [...trace.querySelectorAll('path.point')].find(p => p.__data__.i === i).getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
}"""
FIGURE = "JSON.parse(document.getElementById('timeline-figure').textContent).data"
EMBED_FIGURE = "JSON.parse(document.getElementById('embed-figure').textContent).data"


@pytest.fixture
def open_page(browser, demo_site):
    """A page in a fresh context (desktop or phone) on the demo record, plotly.js held back until
    `release()`: only the picture can answer until then."""
    contexts = []

    def open_page(path: str, *, phone: bool = False):
        options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {"viewport": DESKTOP}
        context = browser.new_context(base_url=demo_site.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        held = []
        page.route(PLOTLY, lambda route: held.append(route))

        def release() -> None:
            release_when_asked(page, held)
            page.unroute(PLOTLY)
            page.wait_for_selector("#timeline-chart.chart-ready")

        page.release = release
        page.held = held
        page.goto(path, wait_until="domcontentloaded")
        return page

    yield open_page
    for context in contexts:
        context.close()


def plotly_absent(page) -> bool:
    return page.evaluate("typeof window.Plotly") == "undefined"


def words(text: str) -> str:
    """A label's text without its line breaks: plotly.js wraps lines where the picture's label lets CSS."""
    return re.sub(r"\s+", "", text)


def marker_traces(page) -> list[int]:
    """The figure's traces whose markers answer: the events' (customdata) and the index."""
    data = page.evaluate(FIGURE)
    return [k for k, trace in enumerate(data) if trace.get("customdata") or trace.get("yaxis") == "y2"]


def hover(page, where: str, point: list[int], label: str) -> str:
    page.mouse.move(0, 0)  # off the chart: the previous label goes
    page.wait_for_selector(label, state="detached")
    page.mouse.move(*page.evaluate(where, point))
    page.wait_for_selector(label)
    return page.locator(label).text_content()


def test_hover_on_the_picture_before_plotly_gives_plotlys_labels_and_nothing_moves(open_page):
    page = open_page("/")
    page.evaluate(OBSERVE_LAYOUT_SHIFT)
    traces = marker_traces(page)
    points = [[traces[0], 0], [traces[-2], 0], [traces[-1], 5]]  # events of two categories (apart), the index
    before = [hover(page, ON_PICTURE, point, LABEL) for point in points]
    assert plotly_absent(page), "the picture answered alone"
    assert "escalation" in before[0] and "30 days to" in before[2]
    stage = page.locator(".chart-stage").bounding_box()

    page.release()
    after = [hover(page, ON_PLOTLY, point, PLOTLY_LABEL) for point in points]
    assert [words(text) for text in before] == [words(text) for text in after]
    assert page.locator(".chart-stage").bounding_box() == stage
    assert page.evaluate("window.layoutShift") < 0.01
    assert page.errors == []


def test_a_click_on_the_picture_opens_what_plotly_opens(open_page):
    page = open_page("/?category=de_escalation")
    event = marker_traces(page)[0]
    target = page.evaluate(FIGURE)[event]["customdata"][0][0]
    page.mouse.click(*page.evaluate(ON_PICTURE, [event, 0]))
    page.wait_for_url(f"**{target}?back=category%3Dde_escalation")  # as plotly.js's click, the way back kept

    page = open_page("/")
    index = marker_traces(page)[-1]
    page.mouse.click(*page.evaluate(ON_PICTURE, [index, 5]))
    heading = page.locator("#tension-window h2")
    heading.wait_for()
    assert re.match(r"30 days to \d+ \w+ \d{4}: index -?\d", heading.inner_text())
    assert page.url.endswith("/") and plotly_absent(page), "shown in place, before plotly.js"
    assert page.errors == []


def test_on_a_phone_a_first_tap_says_what_the_marker_is_and_a_second_opens_it(open_page):
    page = open_page("/?category=de_escalation", phone=True)
    event = marker_traces(page)[0]
    page.locator("#chart-poster").scroll_into_view_if_needed()
    at = page.evaluate(ON_PICTURE, [event, 0])
    page.touchscreen.tap(*at)
    label = page.locator(LABEL)
    label.wait_for()
    chart = page.locator("#timeline-chart").bounding_box()
    box = label.bounding_box()
    assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"], "not cut at the sides"
    title = page.locator("#chart-pick a").inner_text()
    assert words(title) in words(label.text_content())
    assert page.url.endswith("/?category=de_escalation"), "the first tap does not leave the page"
    page.wait_for_timeout(SECOND_TAP_AFTER_MS)
    page.touchscreen.tap(*at)
    page.wait_for_url(re.compile(r"/events/[\w-]+/\?back=category%3Dde_escalation$"))
    assert page.locator("h1").inner_text() == title
    assert not page.held, "on a touch screen plotly.js is loaded only when asked for"
    assert page.errors == []


def test_on_a_phone_a_first_tap_on_a_grouped_marker_says_what_it_groups_and_a_second_zooms(open_page, monkeypatch):
    monkeypatch.setattr("readers.figures.chart.AGGREGATE_THRESHOLD", 10)
    page = open_page("/", phone=True)
    group = marker_traces(page)[0]
    data = page.evaluate(FIGURE)[group]["customdata"][0]  # [query, period, category, count, sum]
    page.locator("#chart-poster").scroll_into_view_if_needed()
    at = page.evaluate(ON_PICTURE, [group, 0])
    page.touchscreen.tap(*at)
    pick = page.locator("#chart-pick")
    pick.wait_for(state="visible")
    assert data[1] in pick.inner_text() and data[2] in pick.inner_text()
    assert f"Show these {data[3]} events" == pick.locator("a").inner_text()
    assert page.url.endswith("/"), "the first tap does not zoom"
    page.wait_for_timeout(SECOND_TAP_AFTER_MS)
    page.touchscreen.tap(*at)
    page.wait_for_url(f"**/{data[0]}")
    assert page.errors == []


def test_a_drag_on_the_picture_loads_plotly_and_keeps_the_view(open_page):
    page = open_page("/")
    chart = page.locator("#chart-poster").bounding_box()
    y = chart["y"] + chart["height"] * 0.3
    page.mouse.move(chart["x"] + chart["width"] * 0.4, y)
    page.mouse.down()
    page.mouse.move(chart["x"] + chart["width"] * 0.5, y, steps=4)
    page.mouse.move(chart["x"] + chart["width"] * 0.6, y, steps=4)
    page.mouse.up()
    page.wait_for_url(re.compile(r"range=\d{4}-\d{2}-\d{2}~\d{4}-\d{2}-\d{2}"))
    start, end = re.search(r"range=([\d-]+)~([\d-]+)", page.url).groups()
    assert start < end
    page.release()
    page.wait_for_function("() => document.getElementById('timeline-chart').layout.xaxis.autorange === false")
    shown = page.evaluate("document.getElementById('timeline-chart').layout.xaxis.range")
    assert [shown[0][:10], shown[1][:10]] == [start, end]
    assert page.errors == []


@pytest.mark.parametrize("phone", [False, True], ids=["1280x800", "phone"])
def test_the_chart_is_in_the_first_screen_under_the_explanation(open_page, phone):
    page = open_page("/", phone=phone)
    explanation = page.locator("#tension-now").bounding_box()
    chart = page.locator("#timeline-chart").bounding_box()
    screen = PHONE if phone else DESKTOP
    assert explanation["y"] + explanation["height"] <= chart["y"], "the explanation stays above the chart"
    assert 0 <= chart["y"] < screen["height"] * 0.7, "the chart starts in the first screen"
    if not phone:
        assert chart["y"] + chart["height"] <= screen["height"], "the whole chart, without scrolling"


def test_the_embeds_picture_answers_before_plotly_and_opens_the_event_in_a_new_tab(open_page):
    """The embed is framed by other sites: its picture answers a hover before plotly.js as the timeline's does,
    and a click opens the event in a new tab, never navigating the frame."""
    page = open_page("/embed/?category=de_escalation")
    data = page.evaluate(EMBED_FIGURE)
    event = next(k for k, trace in enumerate(data) if trace.get("customdata"))
    at = page.evaluate(ON_PICTURE, [event, 0, "embed-figure"])
    page.mouse.move(*at)
    label = page.locator(LABEL)
    label.wait_for()
    assert "escalation" in label.text_content()
    embed = page.url
    with page.context.expect_page() as opened:
        page.mouse.click(*at)
    tab = opened.value
    tab.wait_for_load_state("domcontentloaded")
    assert data[event]["customdata"][0][0] in tab.url and tab.url.startswith("http")
    assert page.url == embed, "the frame stays where it is"
    assert plotly_absent(page) and page.errors == []
