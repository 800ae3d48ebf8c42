"""The one EventFilter: each filter alone, combined, and every kind of bad input (an error, no events)."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict

from events.models import Event
from events.selectors import event_filter
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def shown(query: str) -> list[str]:
    filterset = event_filter(params=QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("slug", flat=True))


def errors(query: str) -> dict:
    filterset = event_filter(params=QueryDict(query))
    assert not filterset.is_valid()
    assert list(filterset.qs) == []
    return filterset.errors


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", ["warning", "patriot", "talks"]),
        ("date_from=2024-03-09", ["warning"]),
        ("date_to=2024-01-01", ["talks"]),
        ("date_from=2024-03-01&date_to=2024-03-08", ["patriot"]),
        ("region=baltic-states", ["patriot"]),
        ("country=lithuania", ["patriot"]),
        ("country=LT", ["patriot"]),
        ("country=ru", ["warning"]),
        ("actor=nato", ["warning", "patriot"]),
        ("actor=nato&role=initiator", ["patriot"]),
        ("actor=nato&role=target", ["warning"]),
        ("actor=russia&actor=poland", ["warning", "talks"]),
        ("type=talks", ["talks"]),
        ("type=talks&type=official-warning", ["warning", "talks"]),
        ("category=military_posture", ["patriot"]),
        ("escalation_min=7.1", ["patriot"]),
        ("escalation_max=0", ["talks"]),
        ("escalation_min=-10&escalation_max=10", ["warning", "patriot", "talks"]),
        ("verification=confirmed", ["talks"]),
        ("q=patriot", ["patriot"]),
        ("q=PATRIOT", ["patriot"]),
        ("reactions_only=on", ["warning"]),
        ("include_retracted=on", ["warning", "patriot", "withdrawn", "talks"]),
        ("sort=date", ["talks", "patriot", "warning"]),
        ("sort=-escalation", ["patriot", "warning", "talks"]),
        ("sort=title", ["talks", "patriot", "warning"]),
    ],
)
def test_each_filter_alone(record, query, expected):
    assert shown(query) == expected


def test_filters_combine(record):
    assert shown("date_from=2024-01-01&actor=nato&category=warning&reactions_only=on") == ["warning"]
    assert shown("country=LT&type=force-deployment&q=lithuania&verification=claimed") == ["patriot"]
    assert shown("region=baltic-states&type=talks") == []


def test_drafts_never_appear_whatever_the_query(record):
    for query in ("", "q=draft", "country=LT&include_retracted=on", "date_from=2024-03-10"):
        assert "draft" not in shown(query)


@pytest.mark.parametrize(
    "query,field",
    [
        ("date_from=yesterday", "date_from"),
        ("date_to=2024-02-30", "date_to"),
        ("date_from=2024-03-09&date_to=2024-03-01", "date_to"),
        ("region=atlantis", "region"),
        ("country=XX", "country"),
        ("country=<script>alert(1)</script>", "country"),
        ("actor=nobody", "actor"),
        ("role=bystander", "role"),
        ("role=initiator", "role"),
        ("type=picnic", "type"),
        ("category=' OR 1=1 --", "category"),
        ("escalation_min=high", "escalation_min"),
        ("escalation_min=11", "escalation_min"),
        ("escalation_max=1e999999", "escalation_max"),
        ("escalation_max=NaN", "escalation_max"),
        ("escalation_min=5&escalation_max=2", "escalation_max"),
        ("verification=maybe", "verification"),
        ("q=" + "x" * 201, "q"),
        ("sort=id; DROP TABLE events_event", "sort"),
    ],
)
def test_bad_input_gives_an_error_beside_its_field_and_no_events(record, query, field):
    assert field in errors(query)


def test_an_error_message_is_readable(record):
    assert errors("date_from=2024-03-09&date_to=2024-03-01")["date_to"] == [
        "The end of the period is before its start."
    ]
    assert "lithuania" in errors("country=XX")["country"][0]


def test_sql_in_text_is_just_text(record):
    assert shown("q=' OR 1=1 --") == []
    assert shown("q=%25") == []


def test_escalation_bounds_accept_decimals(record):
    filterset = event_filter(params=QueryDict("escalation_min=7.2"))
    assert filterset.is_valid()
    assert filterset.form.cleaned_data["escalation_min"] == Decimal("7.2")


def test_reactions_only_ignores_links_to_unpublished_events(record):
    responder = factories.published_event(slug="responds-to-draft", date=D(2024, 3, 11))
    factories.reaction(responder, Event.objects.get(slug="draft"))
    assert shown("reactions_only=on") == ["warning"]
