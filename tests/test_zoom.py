"""Zooming into the aggregated chart: /chart.json gives a range's events with the page's own filter,
aggregated while the range holds many, one by one once it holds few; the range is in the address."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from events.selectors import event_filter
from events.zoom import BadRange, narrowed, parse_range
from readers.figures import chart
from tests import factories

D = datetime.date
THRESHOLD = 20


@pytest.fixture
def many(db, monkeypatch):
    """60 events a week apart from 2023-01-02, one of them Russian: above the (lowered) threshold."""
    monkeypatch.setattr(chart, "AGGREGATE_THRESHOLD", THRESHOLD)
    lt = factories.country("LT")
    for n in range(60):
        factories.published_event(
            slug=f"e{n}",
            date=D(2023, 1, 2) + datetime.timedelta(weeks=n),
            location_country=lt,
            initiator="Russia" if n == 30 else "NATO",
        )


def points(answer: dict) -> int:
    return sum(len(trace.get("customdata", [])) for trace in answer["traces"])


@pytest.mark.django_db
def test_the_whole_view_is_aggregated_and_a_narrow_range_comes_event_by_event(client, many):
    assert client.get("/").context["chart"].aggregated
    wide = client.get("/chart.json?range=2023-01-01~2023-12-31").json()
    assert wide["aggregated"] and wide["event_count"] == 52
    narrow = client.get("/chart.json?range=2023-03-01~2023-04-30").json()
    assert not narrow["aggregated"] and narrow["event_count"] == points(narrow) == 8
    urls = {point[0] for trace in narrow["traces"] for point in trace.get("customdata", [])}
    assert all(re.fullmatch(r"/events/e\d+/", url) for url in urls)
    assert all(trace["yaxis"] == "y" for trace in narrow["traces"]), "the index stays the page's own"


@pytest.mark.django_db
def test_the_range_narrows_the_readers_own_filter(client, many):
    assert client.get("/chart.json?range=2023-01-01~2024-12-31&actor=russia").json()["event_count"] == 1
    inside = client.get("/chart.json?date_from=2023-03-15&range=2023-03-01~2023-04-30").json()
    assert inside["event_count"] == 6
    assert client.get("/chart.json?date_to=2022-01-01&range=2023-03-01~2023-04-30").json()["event_count"] == 0


def test_narrowed_intersects_the_range_with_the_filters_dates():
    params = narrowed(QueryDict("date_from=2023-03-15&date_to=2024-01-01&country=LT&range=2023-03-01~2023-04-30"))
    assert params.dict() == {"date_from": "2023-03-15", "date_to": "2023-04-30", "country": "LT"}
    assert narrowed(QueryDict("range=2023-03-01~2023-04-30")).dict() == {
        "date_from": "2023-03-01",
        "date_to": "2023-04-30",
    }
    assert narrowed(QueryDict("date_from=soon&range=2023-03-01~2023-04-30"))["date_from"] == "soon"
    assert parse_range("2023-03-01T10:00:00~2023-04-30") == (D(2023, 3, 1), D(2023, 4, 30))
    for bad in ("2023-03-01", "x~y", "2023-05-01~2023-04-30", "~"):
        with pytest.raises(BadRange):
            parse_range(bad)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["range=yesterday~today", "range=2024-05-01~2024-04-01", "range=2023-01-01~2023-02-01&date_from=x"]
)
def test_a_bad_range_or_filter_is_a_400_with_the_reason(client, many, query):
    response = client.get(f"/chart.json?{query}")
    assert response.status_code == 400 and response.json()["errors"]


@pytest.mark.django_db
def test_the_endpoint_costs_the_same_queries_at_any_size(client, many):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    url = "/chart.json?range=2023-01-01~2025-12-31&country=LT&_={}"
    before = queries(url.format(1))
    lt = factories.country("LT")
    for n in range(30):
        factories.published_event(
            slug=f"more-{n}", date=D(2024, 6, 1) + datetime.timedelta(days=n), location_country=lt
        )
    assert queries(url.format(2)) == before


# In the browser: a reader drags across the aggregated chart until the events come one by one.
@pytest.fixture
def site(demo_site):
    """The page only reads: the demo record is committed once for such tests (tests/conftest.py, demo_site)."""
    return demo_site


@pytest.fixture
def demo(site, monkeypatch):
    monkeypatch.setattr(chart, "AGGREGATE_THRESHOLD", THRESHOLD)


EVENT_POINTS = "#timeline-chart.chart-single-events g.subplot.xy .scatterlayer path.point"


@pytest.mark.browser
@pytest.mark.django_db
def test_a_reader_zooms_from_the_aggregated_chart_to_single_events_and_shares_the_range(page, demo):
    page.goto("/")
    page.wait_for_selector("#timeline-chart.chart-ready")
    assert page.locator("#aggregated-notice").is_visible()
    plot = page.locator("#timeline-chart .draglayer .xy .nsewdrag").bounding_box()
    # Drag across a narrow band in the middle of the events panel, as a reader zooms.
    y = plot["y"] + plot["height"] / 2
    x0 = plot["x"] + plot["width"] * 0.55
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x0 + 20, y, steps=5)
    page.mouse.move(x0 + 40, y, steps=5)
    page.mouse.up()
    page.wait_for_url(re.compile(r"range=\d{4}-\d{2}-\d{2}~\d{4}-\d{2}-\d{2}"))
    page.wait_for_selector(EVENT_POINTS)
    start, end = page.url.split("range=")[1].split("&")[0].split("~")
    assert "%7E" not in page.url, "the shared address stays readable"
    expected = event_filter(params=QueryDict(f"date_from={start}&date_to={end}")).qs.count()
    assert page.locator(EVENT_POINTS).count() == expected
    assert "one by one" in page.locator("#zoom-status").inner_text()

    shared = page.url
    page.goto(shared)  # the shared address opens on the same range, events one by one
    page.wait_for_selector(EVENT_POINTS)
    assert page.locator(EVENT_POINTS).count() == expected

    page.locator("#timeline-chart .draglayer .xy .nsewdrag").dblclick()  # back to the whole record
    page.wait_for_function("!window.location.search.includes('range=')")
    page.wait_for_selector("#timeline-chart:not(.chart-single-events)")
    assert page.console_errors == []
