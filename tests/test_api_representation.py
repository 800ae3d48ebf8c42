"""The event list and the change feed are written from plain rows (api/representation.py): byte for byte what
DRF's serializers write, on a record with every kind of value, and a page costs the same queries whatever
its size."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime
from rest_framework.renderers import JSONRenderer

from api.serializers import ChangeFeedSerializer, EventSerializer, with_record
from events.models import Event, EventActor, Reaction, Source
from exports.csv import event_url_parts
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
URL_PARTS = event_url_parts(base_url="http://testserver/")


@factories.once_per_module
def every_kind() -> None:
    """Unicode (and the separators JSON must escape), nulls, several actors, sources and reaction links both
    ways, links to events that are not public, a retraction."""
    lt = factories.country("LT")
    rich = factories.event(
        slug="kaliningrad-exercise",
        title="Учения «Запад» near Kaliningrad — Šiauliai 🛩️",
        summary='Line one.\nLine two with a \u2028 separator, "quotes", <tags> & a backslash \\.',
        date=D(2024, 3, 8),
        end_date=D(2024, 3, 20),
        date_precision=Event.Precision.DAY,
        escalation=Decimal("-8.5"),
        escalation_note="Lower than the type’s default: announced months ahead.",
        verification=Event.Verification.CONFIRMED,
        location_country=lt,
        location_name="Šiauliai",
        latitude=Decimal("55.93300"),
        longitude=Decimal("23.31400"),
        status=Event.Status.PUBLISHED,
    )
    for name, role in (("NATO", "initiator"), ("Lietuvos kariuomenė", "initiator"), ("Россия", "target")):
        EventActor.objects.create(event=rich, actor=factories.actor(name, slug=f"actor-{len(name)}"), role=role)
    EventActor.objects.create(event=rich, actor=factories.actor("Belarus"), role=EventActor.Role.TARGET)
    first = Source.objects.create(
        event=rich, url="https://www.lrt.lt/en/1", publisher="LRT", title="Pratybos", published_on=D(2024, 3, 8)
    )
    Source.objects.create(event=rich, url="", publisher="Radio broadcast", title="", kind=Source.Kind.OFFICIAL)
    Source.objects.create(
        event=rich, url="https://example.org/2", publisher="Delfi", title="Ž", published_on=D(2024, 3, 9)
    )
    earlier = factories.published_event(slug="earlier", title="An earlier warning", date=D(2024, 3, 1))
    factories.reaction(rich, earlier, basis_source=first, kind=Reaction.Kind.RETALIATION, note="In return.")
    older = factories.published_event(slug="older", title="Older", date=D(2023, 12, 31), date_precision="month")
    factories.reaction(rich, older)
    later = factories.published_event(slug="later", title="A later response", date=D(2024, 4, 2))
    factories.reaction(later, rich, kind=Reaction.Kind.DENIAL)
    # Links whose far end is not public: neither list may show them.
    Reaction.objects.create(event=rich, responds_to=factories.event(slug="a-draft", date=D(2024, 1, 1)))
    Reaction.objects.create(event=factories.event(slug="draft-reaction", date=D(2024, 5, 1)), responds_to=rich)
    # Nulls: no country, place, coordinates, end date, actors or sources.
    factories.event(slug="bare", title="Bare", date=D(2022, 1, 1), date_precision="year", status=Event.Status.PUBLISHED)
    withdrawn = factories.published_event(slug="withdrawn", title="Withdrawn", date=D(2024, 2, 2))
    withdrawn.status, withdrawn.retraction_note = Event.Status.RETRACTED, "The report was withdrawn."
    withdrawn.save()


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def serialized(events) -> list:
    return EventSerializer(with_record(events), many=True, context={"url_parts": URL_PARTS}).data


def test_a_page_of_the_list_is_the_serializers_output_byte_for_byte(client, every_kind):
    public = Event.objects.filter(status__in=[Event.Status.PUBLISHED, Event.Status.RETRACTED]).order_by("-date", "-id")
    response = client.get("/api/events/?include_retracted=1&page_size=1000")
    assert response.status_code == 200
    assert response.content == rendered({"next": None, "results": serialized(public)})
    assert len(response.json()["results"]) == 6


def test_each_event_in_the_list_is_the_event_by_its_slug(client, every_kind):
    for event in client.get("/api/events/?include_retracted=1").json()["results"]:
        # The event by its slug goes through the serializer: the same bytes as the list's row.
        assert client.get(f"/api/events/{event['slug']}/").content == rendered(event)


def test_the_rich_event_shows_what_it_holds_and_hides_what_is_not_public(client, every_kind):
    rich = client.get("/api/events/?q=Kaliningrad").json()["results"][0]
    assert [(a["name"], a["role"]) for a in rich["actors"]][0] == ("Lietuvos kariuomenė", "initiator")
    assert len(rich["actors"]) == 4 and len(rich["sources"]) == 3
    assert [link["event"] for link in rich["responds_to"]] == ["older", "earlier"]
    assert [link["event"] for link in rich["reacted_by"]] == ["later"]
    assert rich["responds_to"][1]["basis"]["source"]["publisher"] == "LRT"
    assert (rich["latitude"], rich["escalation"]) == (55.933, -8.5)


def test_a_page_of_the_change_feed_is_the_serializers_output_byte_for_byte(client, every_kind):
    response = client.get("/api/changes/?limit=1000")
    body = response.json()
    events = {e.slug: e for e in with_record(Event.objects.all())}
    page = {
        "changes": [
            {
                "change": c["change"],
                "slug": c["slug"],
                "changed_at": parse_datetime(c["changed_at"]),
                "event": events[c["slug"]] if c["event"] else None,
            }
            for c in body["changes"]
        ],
        "cursor": body["cursor"],
        "next": body["next"],
        "more": body["more"],
    }
    assert response.content == rendered(ChangeFeedSerializer(page, context={"url_parts": URL_PARTS}).data)
    assert "retracted" in {c["change"] for c in body["changes"]}


def queries(client, url: str) -> int:
    """The queries the answer cost beyond reading the data version (the cache's and the validators' clock)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for query in captured if "events_dataversion" not in query["sql"])


def test_a_page_of_the_list_costs_the_same_queries_whatever_its_size(client, every_kind):
    path = "/api/events/?include_retracted=1&page_size="
    # The rows, their actors, sources and links both ways.
    assert queries(client, f"{path}1") == queries(client, f"{path}1000") == 5


def test_a_page_of_the_change_feed_costs_a_bounded_number_of_queries_whatever_its_size(client, every_kind):
    # As the list's, plus the changes, the first publications and (when one is gone) their last public slugs.
    assert queries(client, "/api/changes/?limit=1") <= queries(client, "/api/changes/?limit=1000") <= 8
