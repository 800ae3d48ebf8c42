"""The chart's still picture (readers/figures/poster.py): the figure plotly.js draws, drawn on the server as SVG,
on screen at the first paint and for readers without JavaScript, hidden once plotly.js has drawn."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils.html import escape

from events.models import Event
from events.selectors import event_filter
from readers.figures.chart import build_chart
from readers.figures.poster import NARROW, POSTER_MAX_POINTS, WIDE, date_ticks, nice_ticks, poster, render
from tests.browser_helpers import PLOTLY, release_when_asked

D = datetime.date


def drawn_markers(svg: str) -> int:
    """Markers drawn: a <marker> at each vertex of the paths that use one, and the legend's samples (each
    a shape of its own)."""
    shapes = len(re.findall(r"<circle |<polygon ", re.sub(r"<marker .*?</marker>", "", svg)))
    vertices = sum(
        len(re.findall(r"-?\d+ -?\d+", path)) for path in re.findall(r'<path d="([^"]*)"[^>]*marker-mid=', svg)
    )
    return shapes + vertices


def legend_entries(figure: dict) -> list[dict]:
    return [trace for trace in figure["data"] if trace.get("showlegend") is not False]


@pytest.fixture
def chart(record):
    return build_chart(event_filter(params={"include_retracted": "on"}).qs)


def test_every_point_of_the_figure_is_drawn_with_its_category_colour_and_symbol(chart):
    figure = chart.figure
    marker_points = sum(
        sum(1 for x in trace["x"] if x is not None) for trace in figure["data"] if "markers" in trace["mode"]
    )
    samples = sum(1 for trace in legend_entries(figure) if "markers" in trace["mode"])
    for svg in (chart.poster.wide, chart.poster.narrow):
        assert drawn_markers(svg) == marker_points + samples
        for trace in figure["data"]:
            if "markers" in trace["mode"] and "color" in trace["marker"]:
                assert f'fill="{trace["marker"]["color"]}"' in svg
        assert "<polygon " in svg, "the reaction is a diamond"
        assert re.search(r'<circle [^>]*fill="none"', svg), "the retracted event is an open marker"


def test_the_link_lines_keep_their_dash_and_the_index_its_fill(chart):
    svg = chart.poster.wide
    links = [trace for trace in chart.figure["data"] if trace["mode"] == "lines"]
    assert links and all(f'stroke="{trace["line"]["color"]}"' in svg for trace in links)
    index = next(trace for trace in chart.figure["data"] if trace.get("yaxis") == "y2")
    assert f'fill="{index["fillcolor"]}"' in svg


def test_axis_titles_and_every_legend_name_are_written(chart):
    for svg in (chart.poster.wide, chart.poster.narrow):
        for key in ("yaxis", "yaxis2"):
            assert f">{chart.figure['layout'][key]['title']['text']}</text>" in svg
        for trace in legend_entries(chart.figure):
            assert f">{escape(trace['name'])}</text>" in svg


def test_text_from_the_figure_is_escaped():
    figure = {
        "data": [
            {"type": "scatter", "mode": "markers", "name": "<script>x</script>", "x": [D(2024, 1, 1)], "y": [1.0]},
            {"type": "scatter", "mode": "markers", "name": "other", "x": [D(2024, 1, 2)], "y": [2.0]},
        ],
        "layout": {"yaxis": {"title": {"text": "a & b"}}},
    }
    svg = render(figure, WIDE)
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg and "a &amp; b" in svg


def test_an_empty_view_says_so_in_the_picture_too(db):
    chart = build_chart(Event.objects.none())
    assert "No events match these filters" in chart.poster.wide
    assert drawn_markers(chart.poster.wide) == 0


def test_a_view_with_too_many_points_has_no_picture():
    many = POSTER_MAX_POINTS + 1
    figure = {"data": [{"mode": "markers", "x": [D(2024, 1, 1)] * many, "y": [1.0] * many}], "layout": {}}
    assert poster(figure) is None


def test_date_ticks_are_round_dates_and_fewer_on_a_phone():
    low, high = D(2021, 5, 1).toordinal(), D(2024, 9, 30).toordinal()
    wide = date_ticks(low, high, max_ticks=WIDE.max_x_ticks)
    narrow = date_ticks(low, high, max_ticks=NARROW.max_x_ticks)
    assert [label for _, label in wide] == [
        "Jul 2021",
        "Jan 2022",
        "Jul 2022",
        "Jan 2023",
        "Jul 2023",
        "Jan 2024",
        "Jul 2024",
    ]
    assert [label for _, label in narrow] == ["2022", "2023", "2024"]
    one_week = date_ticks(D(2024, 3, 1).toordinal(), D(2024, 3, 7).toordinal(), max_ticks=WIDE.max_x_ticks)
    assert [label for _, label in one_week][:2] == ["1 Mar", "2 Mar"]


def test_a_span_to_the_ends_of_the_calendar_is_drawn():
    figure = {"data": [{"mode": "markers", "x": [D(1, 1, 1), D(9999, 12, 31)], "y": [1.0, 2.0]}], "layout": {}}
    svg = render(figure, WIDE)
    assert drawn_markers(svg) == 2 and ">2000</text>" in svg


def test_nice_ticks_cover_the_escalation_scale():
    assert nice_ticks(-10.5, 10.5, length=290) == [-10, -5, 0, 5, 10]
    assert nice_ticks(-5, 38, length=130) == [0, 10, 20, 30]
    assert nice_ticks(0, 1, length=160) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_the_timeline_page_carries_the_picture_and_leaves_plotly_to_the_loader(client, record):
    html = client.get("/").content.decode()
    assert html.count('class="chart-poster__wide"') == 1 and html.count('class="chart-poster__narrow"') == 1
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("/js/chart-loader" in src for src in scripts) and any("/js/chart-poster" in src for src in scripts)
    assert not any(PLOTLY.search(src) for src in scripts), "plotly.js is loaded once the page has, not deferred"
    assert not re.search(r'<link rel="preload" href="/static/vendor/plotly/', html), "nor fetched before it is wanted"


def test_a_large_view_is_drawn_by_plotly_alone(client, record, monkeypatch):
    monkeypatch.setattr("readers.figures.poster.POSTER_MAX_POINTS", 1)
    html = client.get("/").content.decode()
    assert 'id="timeline-chart"' in html and 'id="chart-poster"' not in html


# --- in the browser ------------------------------------------------------------------------------


@pytest.fixture
def site(demo_site):
    """The pages only read: the demo record is committed once for them all (tests/conftest.py, demo_site)."""
    return demo_site


@pytest.mark.browser
@pytest.mark.django_db
def test_the_picture_shows_at_once_and_gives_way_to_the_interactive_chart(page):
    held = []
    page.route(PLOTLY, lambda route: held.append(route))  # plotly.js held back: only the picture can show
    page.goto("/", wait_until="commit")  # "load" waits for every script, plotly.js included
    page.wait_for_selector(".chart-poster__wide", state="visible")
    marked = "performance.getEntriesByName('chart-drawn').length"
    for _ in range(200):
        if page.evaluate(marked):
            break
        page.wait_for_timeout(25)
    assert page.evaluate(marked) == 1
    # The picture answers on its own (static/js/chart-poster.js): interactive in the frame it is drawn.
    assert page.evaluate("performance.getEntriesByName('chart-interactive').length") == 1
    release_when_asked(page, held)
    page.wait_for_selector("#timeline-chart.chart-ready")
    assert not page.locator("#chart-poster").is_visible()
    drawn, interactive, plotly = page.evaluate(
        "['chart-drawn', 'chart-interactive', 'chart-plotly']"
        ".map(name => performance.getEntriesByName(name)[0].startTime)"
    )
    assert drawn <= interactive < plotly
    assert page.console_errors == []


@pytest.mark.browser
@pytest.mark.django_db
def test_without_javascript_the_picture_is_the_chart_and_fits_a_phone(browser, site):
    context = browser.new_context(base_url=site.url, java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto("/")
    assert page.locator(".chart-poster__narrow").is_visible()
    assert not page.locator(".chart-poster__wide").is_visible()
    box = page.locator(".chart-poster__narrow").bounding_box()
    assert box["width"] <= 390 and box["height"] > 300
    context.close()


@pytest.mark.browser
@pytest.mark.django_db
def test_the_embed_shows_the_picture_in_its_frame_until_plotly_has_drawn(page):
    held = []
    page.route(PLOTLY, lambda route: held.append(route))
    page.set_viewport_size({"width": 600, "height": 420})
    page.goto("/embed/", wait_until="commit")
    poster_box = page.locator(".chart-poster__wide")
    poster_box.wait_for(state="visible")
    stage = page.locator(".embed-stage").bounding_box()
    assert stage["height"] >= 260 and stage["width"] <= 600
    release_when_asked(page, held)
    page.wait_for_selector("#embed-chart.chart-ready")
    assert not page.locator("#chart-poster").is_visible()
    assert page.console_errors == []
