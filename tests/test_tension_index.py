"""The tension index: its definition, its cost, and the window a reader opens by clicking a point."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from events.selectors import event_filter
from events.tension import DailyTotals, IndexPoint, Weighting, tension_index, thin_out, window_events
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def index_on(points: list[IndexPoint], day: datetime.date) -> Decimal:
    """The step function's value on a day: that of the last point on or before it."""
    return [p.value for p in points if p.day <= day][-1]


@pytest.fixture
def record():
    factories.published_event(slug="deploy", date=D(2024, 1, 1))  # +7.2
    factories.published_event(slug="warn", type="official-warning", date=D(2024, 1, 10))  # +7.0
    factories.published_event(slug="talks", type="talks", date=D(2024, 2, 9))  # −1.0
    factories.event(slug="draft", date=D(2024, 1, 15), escalation=Decimal("10"), escalation_note="Draft.")


def test_the_index_is_the_sum_of_escalation_in_the_30_days_ending_on_each_day(record):
    points = tension_index(event_filter(params={}).qs)
    assert index_on(points, D(2024, 1, 1)) == Decimal("7.2")
    assert index_on(points, D(2024, 1, 9)) == Decimal("7.2")
    assert index_on(points, D(2024, 1, 10)) == Decimal("14.2")
    assert index_on(points, D(2024, 1, 30)) == Decimal("14.2")  # 1 January is the window's first day
    assert index_on(points, D(2024, 1, 31)) == Decimal("7.0")  # …and now it has left it
    assert index_on(points, D(2024, 2, 8)) == Decimal("7.0")
    assert index_on(points, D(2024, 2, 9)) == Decimal("-1.0")  # 10 January has left, the talks came in
    assert points[-1] == IndexPoint(D(2024, 3, 9), Decimal("-1.0"))  # 29 days after the last event
    assert points[0].day == D(2024, 1, 1)
    # one point per change, not one per day
    assert [p.day for p in points] == [D(2024, 1, 1), D(2024, 1, 10), D(2024, 1, 31), D(2024, 2, 9), D(2024, 3, 9)]


def test_the_index_follows_the_filter_and_never_counts_drafts(record):
    assert max(p.value for p in tension_index(event_filter(params={}).qs)) == Decimal("14.2")
    only_warnings = tension_index(event_filter(params={"category": "warning"}).qs)
    assert max(p.value for p in only_warnings) == Decimal("7.0")
    assert tension_index(event_filter(params={"country": "XX"}).qs) == []


def test_the_index_costs_one_query_whatever_the_number_of_events(django_assert_num_queries):
    for n in range(50):
        factories.published_event(date=D(2023, 1, 1) + datetime.timedelta(days=n % 9))
    with django_assert_num_queries(1):
        points = tension_index(event_filter(params={}).qs)
    assert max(p.value for p in points) == Decimal("360.0")  # all 50 within 30 days, 7.2 each


def test_over_a_long_span_the_points_are_thinned_but_spikes_survive():
    points = [(D(2000, 1, 1) + datetime.timedelta(days=n), Decimal(n % 7)) for n in range(5000)]
    points[2222] = (points[2222][0], Decimal(99))
    thinned = thin_out(points, 300)
    assert len(thinned) <= 300
    assert max(value for _, value in thinned) == Decimal(99)
    assert thin_out(points[:10], 300) == points[:10]
    many = [(D(2000, 1, 1) + datetime.timedelta(days=n * 2), Decimal(n % 3)) for n in range(3000)]
    long_span = tension_index(totals=DailyTotals(dict(many), {day: 1 for day, _ in many}), max_points=300)
    assert 0 < len(long_span) <= 300 and all(isinstance(point, IndexPoint) for point in long_span)


def test_the_window_lists_its_events_largest_contributions_first(record):
    events = event_filter(params={}).qs
    assert list(window_events(events, D(2024, 1, 30), Weighting()).values_list("slug", flat=True)) == ["deploy", "warn"]
    assert list(window_events(events, D(2024, 2, 9), Weighting()).values_list("slug", flat=True)) == ["talks"]


def test_the_window_page_explains_a_point_of_the_index(client, record):
    factories.published_event(slug="xss", title="<script>alert(1)</script>", date=D(2024, 1, 20))
    html = client.get("/tension/?end=2024-01-30").content.decode()
    assert "30 days to 30 January 2024: index 21.4" in html
    assert re.findall(r'href="/events/([^/]+)/"', html) == ["xss", "deploy", "warn"]  # equal scores: latest first
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "/events/draft/" not in html
    # the filter of the timeline applies to its index's windows too
    filtered = client.get("/tension/?end=2024-01-30&category=warning").content.decode()
    assert re.findall(r'href="/events/([^/]+)/\?back=category%3Dwarning"', filtered) == ["warn"]


@pytest.mark.parametrize(
    "query", ["", "end=tomorrow", "end=2024-13-01", "end=0001-01-02", "end=9999-12-31x", "end=2024-01-30&country=XX"]
)
def test_the_window_page_answers_bad_input_with_a_message(client, record, query):
    response = client.get("/tension/?" + query)
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode() or "index 0" in response.content.decode()
