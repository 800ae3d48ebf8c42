"""readers/figures/chart.py: the figure drawn on `/`, its contents, its aggregated view and its bounded size."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from events.models import Event, EventActor, EventType
from events.selectors import event_filter
from readers.figures.chart import AGGREGATE_THRESHOLD, MAX_PERIODS, build_chart
from tests import factories
from tests.factories import once_per_module

pytestmark = pytest.mark.django_db
D = datetime.date

# The JSON sent to the browser, in bytes, whatever the number of events.
PAYLOAD_BOUND = 250_000


def payload(chart) -> int:
    return len(json.dumps(chart.figure, cls=DjangoJSONEncoder))


def event_points(chart) -> list[list]:
    return [point for trace in chart.figure["data"] if trace["yaxis"] == "y" for point in trace.get("customdata", [])]


def test_each_event_is_a_point_coloured_by_category_with_its_hover():
    factories.published_event(
        slug="patriot",
        title="Patriot systems for Lithuania",
        date=D(2024, 3, 8),
        initiator="NATO",
        target="Russia",
    )
    factories.published_event(
        slug="talks", title="Border talks", type="talks", date=D(2024, 3, 1), date_precision="month"
    )
    chart = build_chart(event_filter(params={}).qs)
    traces = {trace["name"]: trace for trace in chart.figure["data"]}
    assert traces["Military posture"]["x"] == [D(2024, 3, 8)] and traces["Military posture"]["y"] == [7.2]
    assert traces["De-escalation"]["y"] == [-1.0]
    assert traces["Military posture"]["marker"]["color"] != traces["De-escalation"]["marker"]["color"]
    url, date, title, actors, kind = traces["Military posture"]["customdata"][0]
    assert (url, date, title, actors) == (
        "/events/patriot/",
        "8 March 2024",
        "Patriot systems for Lithuania",
        "NATO → Russia",
    )
    assert kind.startswith("Force deployment")
    assert traces["De-escalation"]["customdata"][0][1] == "March 2024"  # the date at its precision
    assert not chart.aggregated and chart.event_count == 2


def test_the_hover_names_the_actors_as_the_table_does_the_arrow_between_the_two_sides():
    both = factories.published_event(slug="both", title="Transit rules", initiator="Lithuania", target="Russia")
    EventActor.objects.create(event=both, actor=factories.actor("European Union"), role=EventActor.Role.INITIATOR)
    factories.published_event(slug="alone", title="Drills", date=D(2024, 3, 2), initiator="Estonia")
    lines = {point[2]: point[3] for point in event_points(build_chart(event_filter(params={}).qs))}
    assert lines == {"Transit rules": "European Union, Lithuania → Russia", "Drills": "Estonia"}


def test_reactions_get_a_distinct_marker_and_a_line_to_what_they_respond_to():
    original = factories.published_event(slug="patriot", date=D(2024, 3, 8))
    warning = factories.published_event(slug="warning", type="official-warning", date=D(2024, 3, 9))
    factories.reaction(warning, original, kind="retaliation")
    chart = build_chart(event_filter(params={}).qs)
    traces = {trace["name"]: trace for trace in chart.figure["data"]}
    assert traces["Warning"]["marker"]["symbol"] == ["diamond"]
    assert traces["Military posture"]["marker"]["symbol"] == ["circle"]
    line = traces["Reaction link: editors' judgement (dotted)"]
    assert (line["x"], line["y"]) == ([D(2024, 3, 8), D(2024, 3, 9), None], [7.2, 7.0, None])
    # a line only when both ends are shown
    only_warning = build_chart(event_filter(params={"type": "official-warning"}).qs)
    assert [t for t in only_warning.figure["data"] if t["mode"] == "lines"][0]["x"] == []


def test_retracted_events_are_drawn_hollow_and_say_so():
    event = factories.published_event(slug="withdrawn", title="Withdrawn report")
    event.status, event.retraction_note = Event.Status.RETRACTED, "Misattributed."
    event.save()
    chart = build_chart(event_filter(params={"include_retracted": "on"}).qs)
    assert event_points(chart)[0][2] == "[Retracted] Withdrawn report"
    assert [t for t in chart.figure["data"] if t["name"] == "Military posture"][0]["marker"]["symbol"] == [
        "circle-open"
    ]


def test_the_index_panel_shares_the_x_axis_and_links_to_its_window():
    factories.published_event(date=D(2024, 3, 8))
    chart = build_chart(event_filter(params={"country": ""}).qs, query="actor=nato&page=3")
    index = chart.figure["data"][-1]
    assert (index["xaxis"], index["yaxis"]) == ("x", "y2")
    assert index["meta"]["window_url"] == "/tension/?actor=nato"
    assert chart.figure["layout"]["xaxis"]["rangeselector"]["buttons"]


def small_record(n: int) -> None:
    factories.published_event(slug="seed")
    types = list(EventType.objects.all())
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            title=f"Bulk event {i}",
            slug=f"bulk-{i}",
            date=D(2015, 1, 1) + datetime.timedelta(days=i % 3650),
            summary="Generated.",
            event_type=types[i % len(types)],
            escalation=types[i % len(types)].default_escalation,
            status=Event.Status.PUBLISHED if i % 10 else Event.Status.DRAFT,
            published_at=now if i % 10 else None,
        )
        for i in range(n)
    )


def test_above_the_threshold_the_chart_aggregates_per_period_and_category_and_says_so(client):
    small_record(40)
    chart = build_chart(event_filter(params={}).qs, threshold=30)
    assert chart.aggregated and chart.period in ("week", "month", "quarter", "year")
    counts = [point[3] for point in event_points(chart)]
    assert sum(counts) == 37  # 36 public bulk events and the seed; the 4 drafts are not counted
    assert all(point[0].startswith("?") and "category=" in point[0] for point in event_points(chart))
    assert chart.figure["layout"]["yaxis"]["title"]["text"] == f"mean escalation per {chart.period}"


@once_per_module
def twenty_thousand_events() -> None:
    """20,000 generated events over ten years (a tenth drafts): 18,001 public with the seed, above the
    threshold; a date window of them holds just under it. Built once for the module's bounds tests."""
    small_record(20_000)


# The first 30 months of twenty_thousand_events: 4,998 public events, just under AGGREGATE_THRESHOLD.
JUST_UNDER = {"date_from": "2015-01-01", "date_to": "2017-07-14"}


def test_with_20000_events_the_payload_and_the_queries_stay_bounded(
    twenty_thousand_events, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        chart = build_chart(event_filter(params={}).qs)
    assert chart.event_count == 18_001 > AGGREGATE_THRESHOLD and chart.aggregated
    assert len(event_points(chart)) <= MAX_PERIODS * len(EventType.Category.choices)
    assert payload(chart) < PAYLOAD_BOUND
    response = client.get("/")
    assert response.status_code == 200
    assert "Too many events to draw one by one (18001)" in response.content.decode()
    assert len(response.content) < PAYLOAD_BOUND + 60_000  # the figure plus the page around it


def test_just_under_the_threshold_every_event_is_drawn_and_the_payload_is_still_bounded(twenty_thousand_events):
    chart = build_chart(event_filter(params=JUST_UNDER).qs)
    assert AGGREGATE_THRESHOLD - 10 < chart.event_count <= AGGREGATE_THRESHOLD
    assert not chart.aggregated and len(event_points(chart)) == chart.event_count
    assert payload(chart) < 4 * PAYLOAD_BOUND


def test_decimal_escalation_reaches_the_browser_as_numbers():
    factories.published_event(escalation=Decimal("6.5"), escalation_note="Only a statement of intent.")
    chart = build_chart(event_filter(params={}).qs)
    assert [t for t in chart.figure["data"] if t["name"] == "Military posture"][0]["y"] == [6.5]


def test_an_empty_view_says_that_nothing_matches(db):
    from events.models import Event
    from readers.figures.chart import build_chart

    figure = build_chart(Event.objects.none()).figure
    assert figure["layout"]["annotations"][0]["text"] == "No events match these filters"


def test_a_view_that_matches_nothing_reads_the_events_once(django_assert_num_queries):
    factories.published_event(slug="posture")  # a military posture: no diplomatic event matches
    events = event_filter(params={"category": "diplomatic"}).qs
    with django_assert_num_queries(1):  # the per-day sums say there is nothing; nothing more is read
        chart = build_chart(events)
    assert chart.event_count == 0
    assert [(trace["mode"], trace["x"]) for trace in chart.figure["data"]] == [("lines", []), ("lines+markers", [])]
