"""The monthly trend rule: deteriorated, improved or unchanged against the series' own variability."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from events.models import Event, EventActor, Region
from events.selectors import event_filter
from events.summary import summary_for
from events.tension import DailyTotals
from events.trends import TREND_FLOOR, Scope, Trend, latest_trend, latest_trends, month_trend
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def months(*tensions: str) -> None:
    """One event on the 10th of each month from January 2024, at each tension (a claimed deployment)."""
    for n, tension in enumerate(tensions):
        factories.published_event(
            date=D(2024, 1 + n, 10), escalation=Decimal(tension), escalation_note="Test of the trend."
        )


def record_trend(query: str = ""):
    filterset = event_filter(params=QueryDict(query))
    from_totals = latest_trend(summary_for(filterset).daily_totals().sums)
    from_events = latest_trend(DailyTotals.of(filterset.qs, filterset.weighting()).sums)
    assert from_totals == from_events
    return from_totals


def test_a_rising_month_has_deteriorated():
    months("5", "5", "10")  # changes 0, +5: spread 2.5, threshold 1.25 → 1.2
    trend = record_trend()
    assert (trend.month, trend.tension, trend.previous) == (D(2024, 3, 1), Decimal("10.0"), Decimal("5.0"))
    assert trend.trend == Trend.DETERIORATED and trend.arrow == "↑" and trend.threshold == Decimal("1.2")


def test_a_falling_month_has_improved():
    months("8", "8", "-2")
    trend = record_trend()
    assert trend.trend == Trend.IMPROVED and trend.arrow == "↓" and trend.change == Decimal("-10.0")


def test_a_flat_month_is_unchanged_and_the_floor_holds():
    months("6", "6", "6")
    trend = record_trend()
    assert trend.trend == Trend.UNCHANGED and trend.arrow == "→"
    assert trend.threshold == TREND_FLOOR  # no variability at all: one escalation point still needed


def test_a_small_move_in_a_volatile_series_is_unchanged():
    # Swings of ±8 every month: a rise of 1 is within the series' own variability.
    tensions = {D(2024, 1, 1): 2, D(2024, 2, 1): 10, D(2024, 3, 1): 2, D(2024, 4, 1): 10, D(2024, 5, 1): 9}
    trend = month_trend({m: Decimal(v) for m, v in tensions.items()}, D(2024, 5, 1))
    assert trend.trend == Trend.UNCHANGED
    steady = {D(2024, 1, 1): Decimal(2), D(2024, 2, 1): Decimal(2), D(2024, 3, 1): Decimal(4)}
    assert month_trend(steady, D(2024, 3, 1)).trend == Trend.DETERIORATED  # the same size of move, in a quiet series


def test_an_empty_month_between_counts_as_zero():
    factories.published_event(date=D(2024, 1, 10))  # 7.2
    factories.published_event(date=D(2024, 3, 10))  # 7.2, February empty
    trend = record_trend()
    assert (trend.previous, trend.trend) == (Decimal(0), Trend.DETERIORATED)


def test_a_disputed_event_does_not_make_a_trend():
    months("5", "5")
    factories.published_event(date=D(2024, 2, 20), type="official-warning", verification=Event.Verification.DISPUTED)
    assert record_trend().trend == Trend.UNCHANGED
    assert record_trend("include_disputed=on").trend == Trend.DETERIORATED


def test_the_rule_is_documented_on_about(client):
    page = client.get(reverse("events:about")).content.decode()
    assert 'id="trend"' in page and "0.5 × the standard deviation of its month-to-month changes" in page


# --- The latest month's trends of the record, each region, each country and each pair: page, API, CSV. ---


def test_the_trends_table_has_every_scope_by_the_same_rule(client, django_assert_num_queries):
    lt, ru, pl = factories.country("LT"), factories.country("RU"), factories.country("PL")
    Region.objects.create(name="Baltic states", slug="baltic-states").countries.set([lt])
    for day, country, by, at in [
        (D(2024, 1, 10), lt, "Russia", "Lithuania"),
        (D(2024, 2, 10), lt, "Russia", "Lithuania"),
        (D(2024, 2, 12), lt, "Lithuania", "Russia"),
        (D(2024, 2, 14), pl, "Poland", "Belarus"),
        (D(2024, 1, 20), ru, "NATO", "Russia"),
    ]:
        factories.published_event(date=day, location_country=country, initiator=by, target=at)  # 7.2 each
    # Each against the other in one event, in no country: it counts once for the pair.
    both = factories.published_event(date=D(2024, 1, 25), initiator="Lithuania", target="Russia")
    both.event_actors.create(actor=factories.actor("Russia"), role=EventActor.Role.INITIATOR)
    both.event_actors.create(actor=factories.actor("Lithuania"), role=EventActor.Role.TARGET)
    with django_assert_num_queries(7):  # whatever the size of the record
        month, rows = latest_trends()
    assert month == D(2024, 2, 1)
    found = {(row.scope, row.key): (row.trend.tension, row.trend.previous, row.trend.trend) for row in rows}
    up, down = Trend.DETERIORATED, Trend.IMPROVED
    assert found == {
        (Scope.RECORD, ""): (Decimal("21.6"), Decimal("21.6"), Trend.UNCHANGED),
        (Scope.REGION, "baltic-states"): (Decimal("14.4"), Decimal("7.2"), up),
        (Scope.COUNTRY, "lithuania"): (Decimal("14.4"), Decimal("7.2"), up),
        (Scope.COUNTRY, "poland"): (Decimal("7.2"), Decimal(0), up),
        (Scope.COUNTRY, "russia"): (Decimal(0), Decimal("7.2"), down),
        (Scope.PAIR, "lithuania/russia"): (Decimal("14.4"), Decimal("14.4"), Trend.UNCHANGED),  # either way round
        (Scope.PAIR, "belarus/poland"): (Decimal("7.2"), Decimal(0), up),
        (Scope.PAIR, "nato/russia"): (Decimal(0), Decimal("7.2"), down),
    }
    assert [row.scope for row in rows][:2] == [Scope.RECORD, Scope.REGION]

    page = client.get(reverse("events:trends")).content.decode()
    assert "Trends: February 2024" in page
    assert f'href="{reverse("events:dyad", args=["lithuania", "russia"])}"' in page
    assert page.count('class="trend trend-improved"') == 2

    answer = client.get(reverse("api:trends")).json()
    assert answer["month"] == "2024-02-01"
    assert {(r["scope"], r["key"]): r["trend"]["trend"] for r in answer["rows"]} == {
        key: value[2] for key, value in found.items()
    }

    response = client.get(reverse("events:trends_csv"))
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(line["scope"], line["key"]): (Decimal(line["tension"]), line["trend"]) for line in lines} == {
        key: (value[0], value[2]) for key, value in found.items()
    }


def test_an_empty_record_has_no_trends(client):
    assert latest_trends() == (None, [])
    assert "no published event yet" in client.get(reverse("events:trends")).content.decode()
    assert client.get(reverse("api:trends")).json() == {"month": None, "rows": []}
