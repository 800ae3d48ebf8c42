"""The per-day totals: kept right by every write path, rebuilt by a command, and giving the chart and
the tension index the same figures as the events themselves."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from editorial import importing
from events import services, summary
from events.models import DailyTotal, DailyTypeTotal, Event, Region
from events.selectors import event_filter
from events.tension import DailyTotals, tension_index
from readers.figures.chart import build_chart
from tests import factories
from tests.test_csv_import import csv_file, row

pytestmark = pytest.mark.django_db
D = datetime.date


def assert_totals_match_the_events() -> None:
    assert summary.mismatches() == []


@factories.once_per_module
def varied():
    """Public events of several types, countries (and none), a retraction, a draft, and an exercise that
    starts before a period and lasts into it."""
    lt, ru, pl = factories.country("LT"), factories.country("RU"), factories.country("PL")
    Region.objects.create(name="Baltic states", slug="baltic-states").countries.set([lt, pl])
    types = ["force-deployment", "official-warning", "talks", "sanctions", "statement"]
    for n in range(60):
        factories.published_event(
            slug=f"e{n}",
            type=types[n % len(types)],
            date=D(2023, 1, 1) + datetime.timedelta(days=n * 11 % 500),
            location_country=[lt, ru, pl, None][n % 4],
            verification=list(Event.Verification)[n % 3],
        )
    factories.published_event(slug="long", date=D(2023, 12, 20), end_date=D(2024, 2, 10), location_country=lt)
    gone = factories.published_event(slug="gone", date=D(2023, 6, 1), location_country=ru)
    services.retract_event(event=gone, note="The report was withdrawn.")
    # A title of its own: "Event 1" and "Event 2" a few days apart are likely duplicates (events.duplicates).
    factories.event(slug="draft", title="A draft to publish", date=D(2023, 6, 2))


def test_the_migration_and_the_factories_leave_totals_that_match_the_events(varied):
    assert DailyTotal.objects.exists()
    assert_totals_match_the_events()


def test_every_write_path_keeps_the_totals_in_the_same_transaction(varied):
    draft = Event.objects.get(slug="draft")
    factories.event(slug="second-draft")
    services.submit_for_review(event=draft)
    draft.event_actors.create(actor=factories.actor("NATO"), role="initiator")
    draft.sources.create(url="https://news.example/d", publisher="Example", title="d")
    services.publish_event(event=draft)
    assert_totals_match_the_events()

    moved = Event.objects.get(slug="e1")  # a save that changes every totalled column
    moved.date, moved.location_country, moved.escalation = D(2022, 2, 2), None, Decimal("-3.5")
    moved.event_type = factories.event_type("talks")
    moved.escalation_note = "Test."
    moved.save()
    assert_totals_match_the_events()

    Event.objects.filter(slug__in=["e2", "e3"]).update(date=D(2021, 1, 1))  # QuerySet.update
    Event.objects.filter(slug="e4").update(status=Event.Status.RETRACTED, retraction_note="Wrong.")
    assert_totals_match_the_events()
    Event.objects.filter(slug="e5").update(verification=Event.Verification.DISPUTED)  # the weighting's key
    assert_totals_match_the_events()

    template = Event.objects.get(slug="e5")
    Event.objects.bulk_create(
        [
            Event(
                title=f"Bulk {n}",
                slug=f"bulk-{n}",
                date=D(2024, 1, n + 1),
                summary="s",
                event_type=template.event_type,
                escalation=Decimal("7.2"),
                status=Event.Status.PUBLISHED,
                published_at=template.published_at,
            )
            for n in range(5)
        ]
    )
    bulk = list(Event.objects.filter(slug__startswith="bulk-"))
    for event in bulk:
        event.escalation = Decimal("1.1")
    Event.objects.bulk_update(bulk, ["escalation"])
    assert_totals_match_the_events()

    Event.objects.filter(slug__in=["e6", "bulk-0"]).delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET escalation = 9.9 WHERE slug = %s", ["e7"])
    assert_totals_match_the_events()

    with pytest.raises(RuntimeError), transaction.atomic():
        Event.objects.filter(slug="e8").update(date=D(2020, 1, 1))
        raise RuntimeError("rolled back: the totals with it")
    assert_totals_match_the_events()


def test_emptying_the_events_empties_their_totals(varied):
    if connection.vendor == "postgresql":  # TRUNCATE fires no row trigger: a statement trigger clears them
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE events_event CASCADE")
    else:
        Event.objects.all().delete()
    assert not DailyTotal.objects.exists() and not DailyTypeTotal.objects.exists()
    factories.published_event(slug="after", date=D(2024, 1, 1))
    assert_totals_match_the_events()


def test_totals_emptied_before_their_events_stay_empty_as_the_events_go(varied):
    # A `flush` (the test database between tests) empties the totals first: removing an event whose total
    # is gone must not leave a negative one, or the same events loaded again would count as none.
    DailyTotal.objects.all().delete()
    DailyTypeTotal.objects.all().delete()
    Event.objects.all().delete()
    assert not DailyTotal.objects.exists() and not DailyTypeTotal.objects.exists()
    factories.published_event(slug="again", date=D(2024, 1, 1))
    assert_totals_match_the_events()


def test_the_csv_import_and_load_demo_keep_the_totals():
    factories.country("LT")
    factories.actor("NATO")
    factories.actor("Russia")
    # The import writes drafts (in bulk): readers' totals do not move until they are published.
    report = summary_import(row(slug="imported-one"), row(slug="imported-two", date="2024-03-10"))
    assert report.ok and not DailyTotal.objects.exists()
    Event.objects.filter(slug__startswith="imported").update(
        status=Event.Status.PUBLISHED, published_at=datetime.datetime(2024, 3, 11, tzinfo=datetime.UTC)
    )
    assert DailyTypeTotal.objects.filter(day__in=[D(2024, 3, 8), D(2024, 3, 10)]).count() == 2
    assert_totals_match_the_events()
    call_command("load_demo", verbosity=0)
    assert DailyTotal.objects.count() > 20
    assert_totals_match_the_events()


def summary_import(*rows):
    return importing.import_events(file=csv_file(*rows))


def test_rebuild_command_recomputes_and_check_reports_a_difference(varied):
    def stored() -> list:
        return [
            sorted(
                level.objects.values_list(
                    "day", "event_type_id", "status", "verification", *keys, "events", "escalation_tenths"
                )
            )
            for level, keys in summary.LEVELS.items()
        ]

    good = stored()
    DailyTotal.objects.filter(pk=DailyTotal.objects.first().pk).update(events=99)
    DailyTypeTotal.objects.filter(pk=DailyTypeTotal.objects.last().pk).delete()
    with pytest.raises(CommandError, match="2 per-day totals differ"):
        call_command("rebuild_daily_totals", "--check")
    out = io.StringIO()
    call_command("rebuild_daily_totals", stdout=out)
    assert f"{sum(map(len, good))} rows" in out.getvalue()
    assert stored() == good
    call_command("rebuild_daily_totals", "--check", stdout=io.StringIO())


def test_views_filtered_by_place_read_the_totals_by_country_and_others_those_of_all_places(varied):
    by_place = summary.summary_for(event_filter(params=QueryDict("region=baltic-states")))
    everywhere = summary.summary_for(event_filter(params=QueryDict("category=warning")))
    assert by_place.totals.model is DailyTotal and everywhere.totals.model is DailyTypeTotal
    for n, iso2 in enumerate(["LT", "RU", "PL"]):  # one day, one type, three places
        factories.published_event(slug=f"same-day-{n}", date=D(2022, 5, 5), location_country=factories.country(iso2))
    assert DailyTotal.objects.filter(day=D(2022, 5, 5)).count() == 3
    assert DailyTypeTotal.objects.get(day=D(2022, 5, 5)).events == 3


# Views the totals answer, and one each that needs the events.
SUMMARISABLE = [
    "",
    "include_retracted=on",
    "date_from=2023-03-01",
    "date_from=2024-01-01&date_to=2024-03-01",  # the long exercise started before this period
    "date_to=2023-08-31&sort=title",
    "country=LT",
    "country=ru&include_retracted=on",
    "region=baltic-states",
    "type=talks&type=sanctions",
    "category=warning&date_from=2023-02-01",
    "region=baltic-states&category=military_posture&date_from=2023-05-01&date_to=2023-12-31",
    "verification=disputed&country=LT",
    "include_disputed=on&date_from=2023-03-01",
    "include_disputed=on&include_retracted=on&region=baltic-states",
]
PER_EVENT_ONLY = ["actor=nato", "q=Event", "escalation_min=0", "reactions_only=on"]


@pytest.mark.parametrize("query", SUMMARISABLE)
@pytest.mark.parametrize("threshold", [1_000_000, 1], ids=["points", "aggregated"])
def test_the_chart_and_index_from_the_totals_equal_those_from_the_events(varied, query, threshold):
    filterset = event_filter(params=QueryDict(query))
    totals = summary.summary_for(filterset)
    assert totals is not None
    exact = build_chart(filterset.qs, query=query, threshold=threshold, weighting=filterset.weighting())
    fast = build_chart(filterset.qs, query=query, threshold=threshold, summary=totals)
    assert exact.event_count > 0 and exact.event_count == filterset.qs.count()
    assert (fast.event_count, fast.first, fast.last, fast.period) == (
        exact.event_count,
        exact.first,
        exact.last,
        exact.period,
    )
    assert fast.figure == exact.figure
    assert tension_index(totals=totals.daily_totals()) == tension_index(filterset.qs, weighting=filterset.weighting())
    assert totals.daily_totals() == DailyTotals.of(filterset.qs.order_by(), filterset.weighting())


@pytest.mark.parametrize("query", PER_EVENT_ONLY)
def test_filters_the_totals_cannot_answer_fall_back_to_the_events(varied, query):
    assert summary.summary_for(event_filter(params=QueryDict(query))) is None


def test_an_invalid_filter_does_not_use_the_totals(varied):
    assert summary.summary_for(event_filter(params=QueryDict("date_from=2024-13-01"))) is None


def test_the_aggregated_chart_from_the_totals_costs_the_same_queries_at_any_size(varied):
    def queries() -> int:
        filterset = event_filter(params=QueryDict("region=baltic-states"))
        with CaptureQueriesContext(connection) as captured:
            build_chart(filterset.qs, threshold=1, summary=summary.summary_for(filterset))
        return len(captured)

    before = queries()
    lt = factories.country("LT")
    for n in range(40):
        day = D(2020, 1, 1) + datetime.timedelta(days=n)
        factories.published_event(slug=f"more-{n}", date=day, location_country=lt)
    assert queries() == before


def test_the_aggregated_timeline_page_costs_the_same_queries_at_any_size(client, varied, monkeypatch):
    from readers.figures import chart

    monkeypatch.setattr(chart, "AGGREGATE_THRESHOLD", 10)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = ["/", "/?region=baltic-states&date_from=2023-03-01", "/?type=talks&include_retracted=on"]
    before = [queries(url) for url in urls]
    assert b'id="aggregated-notice"' in client.get("/").content
    for n in range(40):
        day = D(2019, 1, 1) + datetime.timedelta(days=n * 3)
        factories.published_event(slug=f"more-{n}", date=day, type="talks", location_country=factories.country("PL"))
    assert [queries(url) for url in urls] == before


@pytest.mark.parametrize("query", ["", "region=baltic-states&date_from=2023-05-01", "date_from=2024-01-01"])
def test_the_embed_draws_from_the_totals_the_figure_of_the_events(client, varied, monkeypatch, query):
    from readers.figures import chart

    monkeypatch.setattr(chart, "AGGREGATE_THRESHOLD", 10)
    reads = []
    monkeypatch.setattr(summary.Summary, "daily_totals", record_call(summary.Summary.daily_totals, reads))
    html = client.get(f"/embed/?{query}").content.decode()
    embedded = html.split('id="embed-figure" type="application/json">', 1)[1].split("</script>", 1)[0]
    exact = build_chart(event_filter(params=QueryDict(query)).qs, query=query)
    assert reads and json.loads(embedded) == json.loads(json.dumps(exact.figure, cls=DjangoJSONEncoder))


def record_call(method, calls: list):
    def recorded(self, *args, **kwargs):
        calls.append(method.__name__)
        return method(self, *args, **kwargs)

    return recorded
