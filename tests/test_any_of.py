"""`__any_of`: the rows whose value is one of many, asked with one array on PostgreSQL (events/db/any_of.py)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, EventActor, Source
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    return [factories.published_event(slug=f"event-{n}", title=f"Event {n}") for n in range(3)]


@pytest.mark.parametrize("chosen", [[], [0], [0, 2], [0, 0, 1, 2]])
def test_any_of_finds_the_rows_in_does(events, chosen):
    ids = [events[n].id for n in chosen]
    found = Event.objects.filter(id__any_of=ids).order_by("id")
    assert list(found) == list(Event.objects.filter(id__in=ids).order_by("id"))
    related = EventActor.objects.filter(event_id__any_of=ids)
    assert sorted(related.values_list("id", flat=True)) == sorted(
        EventActor.objects.filter(event_id__in=ids).values_list("id", flat=True)
    )


def test_values_the_column_must_convert_are_prepared_as_in_does(events):
    assert Source.objects.filter(event_id__any_of=[str(events[0].id)]).count() == events[0].sources.count()


def test_postgresql_is_sent_one_array_whatever_the_number_of_ids(postgres_only, client, events):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/events/?page_size=1000").status_code == 200
    related = [q["sql"] for q in captured if re.search(r"FROM \"events_(eventactor|source|reaction)\"", q["sql"])]
    assert len(related) == 4 and all('_id" = ANY(' in sql and '_id" IN (' not in sql for sql in related), related
