"""The front page explains itself: above the chart, what the record covers, what a dot and a line are, and
the tension now (the latest 30 days' index, its percentile, the month's trend, the three largest
contributions); the same, compact, on the embed; the data links below the chart."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from events.models import Event
from events.selectors import event_filter, tension_now
from events.summary import summary_for
from events.trends import Trend
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@factories.once_per_module
def three_months():
    """January 7.2, February 7.0, March 13.2 (a disputed warning in March does not count)."""
    factories.published_event(slug="jan-deploy", title="January deployment", date=D(2024, 1, 5))  # 7.2
    factories.published_event(
        slug="feb-warning", title="February warning", type="official-warning", date=D(2024, 2, 10)
    )
    factories.published_event(slug="mar-deploy", title="March deployment", date=D(2024, 3, 1))
    factories.published_event(slug="mar-warning", title="March warning", type="official-warning", date=D(2024, 3, 5))
    factories.published_event(
        slug="mar-rumour",
        title="Disputed March warning",
        type="official-warning",
        date=D(2024, 3, 8),
        verification=Event.Verification.DISPUTED,
    )
    factories.published_event(slug="mar-talks", title="March talks", type="talks", date=D(2024, 3, 10))  # −1.0


def now_of(query: str = ""):
    filterset = event_filter(params=QueryDict(query))
    return tension_now(filterset=filterset, totals=summary_for(filterset).daily_totals())


def test_the_tension_now_is_the_latest_30_days_against_the_records_history(three_months, db):
    now = now_of()
    assert (now.first, now.day, now.window_start) == (D(2024, 1, 5), D(2024, 3, 10), D(2024, 2, 10))
    assert now.index == Decimal("20.2")  # 7.0 + 7.2 + 7.0 − 1.0; the disputed warning left out
    # Of the 66 days from 5 January to 10 March, the index was at least 20.2 only from 5 March on (6 days).
    assert now.percentile == round(100 * 60 / 66)
    assert (now.trend.month, now.trend.trend, now.trend.tension, now.trend.previous) == (
        D(2024, 3, 1),
        Trend.DETERIORATED,
        Decimal("13.2"),
        Decimal("7.0"),
    )
    assert [event.slug for event in now.top] == ["mar-deploy", "mar-warning", "feb-warning"]


def test_the_block_stands_above_the_chart_and_the_data_links_below(client, three_months):
    html = client.get(reverse("events:timeline")).content.decode()
    block = html.index('id="tension-now"')
    assert html.index('id="summary"') < block < html.index('id="timeline-chart"') < html.index('id="data-links"')
    section = html[block : html.index("</section>", block)]
    assert "security events in the Baltic Sea region" in section  # settings.RECORD_REGION
    assert "January 2024 to March 2024" in section
    assert "each <strong>dot</strong> is one event" in section and "a <strong>line</strong> joins a reaction" in section
    assert "30 days to 10 Mar 2024" in section
    assert "index <strong>20.2</strong>, higher than on 91% of days since January 2024" in section
    assert "↑</span> March 2024: <strong>deteriorated</strong></span>\n      against February" in section
    assert 'href="/about/#trend"' in section
    for slug in ("mar-deploy", "mar-warning", "feb-warning"):
        assert f'href="/events/{slug}/"' in section
    assert "mar-rumour" not in section and "mar-talks" not in section


def test_the_block_follows_the_filter(client, three_months):
    html = client.get(reverse("events:timeline") + "?include_disputed=on").content.decode()
    assert "index <strong>27.2</strong>" in html  # the disputed warning's 7.0 counted
    empty = client.get(reverse("events:timeline") + "?country=XX").content.decode()
    assert "No events in this view, so no index." in empty


def test_the_embed_has_the_block_compact(client, three_months):
    html = client.get(reverse("events:embed")).content.decode()
    line = html[html.index('id="tension-now"') : html.index("</p>", html.index('id="tension-now"'))]
    assert "index <strong>20.2</strong>, higher than on 91% of days" in line and "Mar 2024 deteriorated" in line
    assert "disputed claims left out" in line and 'target="_blank"' in line  # the frame never navigates
    assert "dot" not in line and "Contributing most" not in line


def test_the_block_costs_one_query_the_chart_has_not_made(three_months, django_assert_num_queries):
    filterset = event_filter(params=QueryDict(""))
    totals = summary_for(filterset).daily_totals()  # what the chart has read already
    with django_assert_num_queries(1):  # the three largest contributions
        now = tension_now(filterset=filterset, totals=totals)
        assert len(now.top) == 3
