"""Plausible dates: an accepted range (settings, a clear error outside it), and pages whose cost does
not grow with the span of dates in the record."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial import importing
from events.models import Event
from events.tension import tension_index
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def validated(**kw) -> Event:
    event = Event(title="A", slug="a", summary="S", event_type=factories.event_type(), **kw)
    event.full_clean(validate_unique=False)
    return event


@pytest.mark.parametrize("date", [D(1, 1, 1), D(1899, 12, 31), D(2101, 1, 1), D(9999, 12, 31)])
def test_a_date_outside_the_accepted_range_is_refused_with_the_range(date):
    with pytest.raises(ValidationError) as refused:
        validated(date=date)
    assert "Use a date from 1900-01-01 to 2100-12-31" in refused.value.message_dict["date"][0]


def test_the_end_date_is_checked_too_and_the_range_is_a_setting(settings):
    with pytest.raises(ValidationError) as refused:
        validated(date=D(2024, 1, 1), end_date=D(2200, 1, 1))
    assert "end_date" in refused.value.message_dict
    settings.EVENT_EARLIEST_DATE, settings.EVENT_LATEST_DATE = "2020-01-01", "2030-12-31"
    validated(date=D(2024, 1, 1))
    with pytest.raises(ValidationError):
        validated(date=D(2019, 12, 31))


def test_the_admin_and_the_import_refuse_it(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    response = client.post(reverse("admin:events_event_add"), factories.admin_event_form(date="0224-03-08"))
    assert response.status_code == 200 and "Use a date from 1900-01-01" in response.content.decode()
    csv_text = "slug,date,title,summary,event_type\nold,0224-03-08,Typo,Fine.,force-deployment\n"
    report = importing.import_events(file=io.BytesIO(csv_text.encode()))
    assert not report.ok and "Use a date from 1900-01-01" in str(report.errors[0])
    assert not Event.objects.exists()


def spread_record(first_year: int, last_year: int, n: int = 12) -> None:
    """n published events evenly over the years, with the extremes written as SQL would (no clean())."""
    step = (last_year - first_year) / (n - 1)
    for i in range(n):
        factories.published_event(date=D(2024, 1, 1 + i), title=f"Event {i}")
    for i, event in enumerate(Event.objects.order_by("pk")):
        Event.objects.filter(pk=event.pk).update(date=D(round(first_year + i * step), 6, 1))


def cost_of_timeline(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("events:timeline"))
    assert response.status_code == 200
    return len(queries), len(tension_index(Event.objects.public()))


@pytest.mark.parametrize("span", [(1900, 2100), (1, 9999)])
def test_a_record_spanning_centuries_costs_what_a_record_of_one_year_costs(client, span):
    spread_record(2024, 2024)
    narrow = cost_of_timeline(client)
    Event.objects.all().delete()
    spread_record(*span)
    wide_queries, wide_points = cost_of_timeline(client)
    assert wide_queries == narrow[0]
    # Each event moves the index twice (on its day and when it leaves the window), plus the last day.
    assert wide_points <= 2 * 12 + 1
    assert client.get(reverse("events:tension_window"), {"end": "9999-12-31"}).status_code == 200


def test_the_index_is_exact_across_a_long_gap():
    factories.published_event(date=D(1900, 1, 1), escalation="5.0", escalation_note="Test.")
    factories.published_event(date=D(2100, 12, 31), escalation="-2.0", escalation_note="Test.")
    points = [(p.day, float(p.value)) for p in tension_index(Event.objects.all())]
    assert points == [
        (D(1900, 1, 1), 5.0),
        (D(1900, 1, 31), 0.0),
        (D(2100, 12, 31), -2.0),
        (D(2101, 1, 29), -2.0),
    ]


def test_the_admin_date_hierarchy_probes_only_the_years_that_have_events(client):
    spread_record(1, 9999, n=5)
    client.force_login(factories.staff_user("pia", "Publisher"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:events_event_changelist"))
    assert response.status_code == 200
    assert len(queries) < 40
    html = response.content.decode()
    assert "date__year=1&" in html.replace('"', "&") or "?date__year=1" in html
