"""The index counts what is backed: confirmed and claimed events at their escalation, disputed ones only when
asked, retracted ones never; one rule, the same figures on the page, the per-day totals, the API, the embed
and the CSV."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Event
from events.selectors import event_filter
from events.summary import summary_for, view_index
from events.tension import WINDOW_DAYS, index_on, tension_index
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
INDEX_TRACE = "Tension index (30 days)"


@pytest.fixture
def disputed_record():
    """A confirmed deployment, a claimed warning, a disputed warning and a retracted report, in March 2024."""
    factories.published_event(slug="deploy", date=D(2024, 3, 1), verification=Event.Verification.CONFIRMED)  # 7.2
    factories.published_event(slug="claimed", type="official-warning", date=D(2024, 3, 5))  # 7.0, claimed
    factories.published_event(
        slug="disputed", type="official-warning", date=D(2024, 3, 8), verification=Event.Verification.DISPUTED
    )
    gone = factories.published_event(slug="gone", date=D(2024, 3, 9), verification=Event.Verification.CONFIRMED)
    gone.status, gone.retraction_note = Event.Status.RETRACTED, "Withdrawn."
    gone.save()


def drawn_index(client, url: str, figure_id: str) -> list[tuple[str, float]]:
    """The index trace of the figure a page carries in its <script type="application/json">."""
    html = client.get(url).content.decode()
    figure = json.loads(re.search(rf'<script id="{figure_id}" type="application/json">(.*?)</script>', html, re.S)[1])
    trace = next(t for t in figure["data"] if t["name"] == INDEX_TRACE)
    return list(zip(trace["x"], trace["y"], strict=True))


def api_index(client, query: str) -> list[tuple[str, float]]:
    answer = client.get(reverse("api:tension") + "?" + query).json()
    return [(point["day"], float(point["value"])) for point in answer["points"]]


def csv_index(client, query: str) -> list[tuple[str, float]]:
    response = client.get(reverse("events:tension_csv") + "?" + query)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["day", "index"]
    return [(day, float(value)) for day, value in rows[1:]]


def totals_index(query: str) -> list[tuple[str, float]]:
    summary = summary_for(event_filter(params=QueryDict(query)))
    assert summary is not None, "a view the per-day totals answer"
    return [(p.day.isoformat(), float(p.value)) for p in tension_index(totals=summary.daily_totals())]


def test_a_disputed_event_does_not_move_the_default_index(disputed_record):
    default = view_index(event_filter(params=QueryDict("")))
    assert max(p.value for p in default) == Decimal("14.2")  # 7.2 confirmed + 7.0 claimed
    assert index_on(default, D(2024, 3, 8)) == index_on(default, D(2024, 3, 7))
    counted = view_index(event_filter(params=QueryDict("include_disputed=on")))
    assert index_on(counted, D(2024, 3, 8)) == Decimal("21.2")  # the disputed warning's 7.0 added


def test_a_retracted_event_never_counts_even_shown(disputed_record):
    for query in ("include_retracted=on", "include_retracted=on&include_disputed=on"):
        points = view_index(event_filter(params=QueryDict(query)))
        assert index_on(points, D(2024, 3, 9)) == index_on(points, D(2024, 3, 8)), query
    shown = event_filter(params=QueryDict("include_retracted=on")).qs
    assert shown.filter(slug="gone").exists()


@pytest.mark.parametrize(
    "query",
    ["", "include_disputed=on", "include_retracted=on", "include_disputed=1&include_retracted=1&type=official-warning"],
)
def test_page_embed_totals_api_and_csv_give_the_same_figures(client, disputed_record, query):
    expected = totals_index(query)
    assert expected, "the view has an index"
    assert drawn_index(client, reverse("events:timeline") + "?" + query, "timeline-figure") == expected
    assert drawn_index(client, reverse("events:embed") + "?" + query, "embed-figure") == expected
    assert api_index(client, query) == expected
    assert csv_index(client, query) == expected
    # …and the per-event path, when a filter the totals cannot answer narrows nothing here.
    assert api_index(client, query + "&escalation_min=-10") == expected


def test_the_rule_is_said_under_the_chart_and_in_the_api(client, disputed_record):
    page = client.get(reverse("events:timeline")).content.decode()
    assert "The index counts confirmed and claimed events at their escalation and leaves disputed" in page
    assert "Count disputed claims too" in page
    widened = client.get(reverse("events:timeline") + "?include_disputed=on").content.decode()
    assert "counts confirmed, claimed and disputed events" in widened
    assert "disputed claims counted in the index" in widened  # the filter in words, above the chart
    assert "disputed" in client.get(reverse("api:tension")).json()["rule"]


def test_the_window_page_shows_what_is_not_counted(client, disputed_record):
    page = client.get(reverse("events:tension_window") + "?end=2024-03-10&include_retracted=on").content.decode()
    assert "index 14.2" in page
    assert "not counted: disputed" in page and "not counted: retracted" in page


def test_an_invalid_filter_is_a_400_for_the_index_csv(client, disputed_record):
    response = client.get(reverse("events:tension_csv") + "?date_from=2024-13-01")
    assert response.status_code == 400 and b"date_from" in response.content


# --- The index over any record equals the naive per-day sum of the events that count. ---

VERIFICATIONS = list(Event.Verification)
events_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=70),  # day offset: windows overlap, open and close
        st.sampled_from(["-3.0", "0.0", "2.5", "7.2", "10.0"]),
        st.sampled_from(VERIFICATIONS),
        st.booleans(),  # retracted
    ),
    max_size=6,
)
START = D(2024, 1, 1)


def naive_index(rows, day: datetime.date, *, include_disputed: bool) -> Decimal:
    """Straight from the definition: the escalation of the counted events dated in the 30 days to `day`."""
    return sum(
        (
            Decimal(escalation)
            for offset, escalation, verification, retracted in rows
            if not retracted
            and (include_disputed or verification != Event.Verification.DISPUTED)
            and 0 <= (day - (START + datetime.timedelta(days=offset))).days < WINDOW_DAYS
        ),
        Decimal(0),
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=events_strategy, include_disputed=st.booleans())
def test_the_index_over_any_record_is_the_naive_per_day_sum(db, rows, include_disputed):
    with transaction.atomic():
        for offset, escalation, verification, retracted in rows:
            Event.objects.create(
                title="e",
                slug=f"e-{Event.objects.count()}-{offset}",
                date=START + datetime.timedelta(days=offset),
                summary="s",
                event_type=factories.event_type(),
                escalation=Decimal(escalation),
                escalation_note="Test.",
                verification=verification,
                status=Event.Status.RETRACTED if retracted else Event.Status.PUBLISHED,
                retraction_note="Withdrawn." if retracted else "",
                published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
            )
        query = QueryDict("include_retracted=on" + ("&include_disputed=on" if include_disputed else ""))
        filterset = event_filter(params=query)
        from_totals = view_index(filterset)
        from_events = tension_index(filterset.qs, weighting=filterset.weighting())
        assert from_totals == from_events
        # The index is drawn from the first event to the day its window empties (29 days after the last).
        last = from_totals[-1].day if from_totals else START
        for offset in range(-1, (last - START).days + 1):
            day = START + datetime.timedelta(days=offset)
            assert index_on(from_totals, day) == naive_index(rows, day, include_disputed=include_disputed), day
        transaction.set_rollback(True)
