"""The event change list: its columns and filters, and a query count that does not grow with events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.admin import EstimatedCountPaginator
from events.models import Event, EventActor
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:events_event_changelist")


@pytest.fixture
def editor(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    return client


def add_events(n, start=0):
    for i in range(start, start + n):
        event = factories.published_event(title=f"Deployment {i}", initiator="NATO", target="Russia")
        EventActor.objects.create(event=event, actor=factories.actor("Lithuania"), role=EventActor.Role.INITIATOR)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query", ["", "?status__exact=published", "?event_type__category__exact=military_posture", "?q=Deployment"]
)
def test_the_query_count_does_not_grow_with_the_number_of_events(editor, query):
    add_events(3)
    few = queries_for(editor, CHANGELIST + query)
    add_events(30, start=3)
    assert queries_for(editor, CHANGELIST + query) == few


def test_the_list_shows_the_initiators_and_the_date_at_its_precision(editor):
    factories.published_event(title="Spring exercise", date_precision="month", initiator="NATO")
    page = editor.get(CHANGELIST).content.decode()
    assert "March 2024" in page and "Spring exercise" in page and "NATO" in page
    assert "Import CSV" in page


def test_filters_by_status_type_category_country_and_date(editor):
    factories.event(title="Draft in Vilnius", location_country=factories.country("LT"))
    factories.published_event(title="Published in Riga", location_country=factories.country("LV"), type="sanctions")
    lt = factories.country("LT").pk
    cases = {
        "?status__exact=draft": "Draft in Vilnius",
        "?event_type__id__exact=" + str(factories.event_type("sanctions").pk): "Published in Riga",
        "?event_type__category__exact=economic": "Published in Riga",
        f"?location_country__id__exact={lt}": "Draft in Vilnius",
        "?date__year=2024&date__month=3": "Draft in Vilnius",
    }
    for query, expected in cases.items():
        page = editor.get(CHANGELIST + query).content.decode()
        assert expected in page, query
    assert "Published in Riga" not in editor.get(CHANGELIST + "?status__exact=draft").content.decode()


def test_the_unfiltered_count_of_a_large_table_is_estimated_on_postgresql(postgres_only):
    factories.event()
    with connection.cursor() as cursor:
        # What autovacuum's ANALYZE would record for a table of two million rows.
        cursor.execute("UPDATE pg_class SET reltuples = 2000000 WHERE oid = 'events_event'::regclass")
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(Event.objects.all(), 50).count
    assert count == 2_000_000
    assert not any("COUNT(" in q["sql"].upper() for q in queries)
    assert EstimatedCountPaginator(Event.objects.filter(status="draft"), 50).count == 1
