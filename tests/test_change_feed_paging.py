"""The change feed read a page at a time (issue 24, faults 6 and 7): the `next` link keeps the query's
`limit`, and whether a change is a first publication or a later change does not depend on the paging."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from events.models import Event, EventActor, Source
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(record) -> Event:
    """An event drafted with its actor and source, then published: its publication is its last change."""
    event = factories.event(slug="fresh", title="Fresh news", type="talks", date=datetime.date(2022, 5, 1))
    EventActor.objects.create(event=event, actor=factories.actor("Finland"), role=EventActor.Role.INITIATOR)
    Source.objects.create(event=event, publisher="Yle", title="Fresh", kind=Source.Kind.NEWS)
    event.status = Event.Status.PUBLISHED
    event.save()
    return event


def walk(client, query: str = "") -> list[tuple[str, str]]:
    """(slug, kind) of every change, following `next` from the start."""
    url, seen = f"/api/changes/?{query}", []
    while url:
        body = client.get(url).json()
        seen += [(change["slug"], change["change"]) for change in body["changes"]]
        url = body["next"] if body["more"] else None
    return seen


def test_fault_6_the_next_link_keeps_the_limit(client, record):
    first = client.get("/api/changes/?limit=2").json()
    assert parse_qs(urlsplit(first["next"]).query)["limit"] == ["2"]
    second = client.get(first["next"]).json()
    assert len(second["changes"]) == 2
    assert {c["slug"] for c in first["changes"]}.isdisjoint(c["slug"] for c in second["changes"])


def test_fault_6_since_is_spent_once_the_next_link_has_a_cursor(client, record):
    body = client.get("/api/changes/?limit=1&since=2000-01-01").json()
    assert "since" not in parse_qs(urlsplit(body["next"]).query)


def test_fault_7_the_kind_of_a_change_is_the_same_whatever_the_page_size(client, fresh):
    whole = walk(client)
    assert ("fresh", "published") in whole
    for limit in (1, 2, 3):
        assert walk(client, f"limit={limit}") == whole, limit


def test_fault_7_published_is_a_first_publication_and_changed_any_later_change(client, fresh):
    assert dict(walk(client))["fresh"] == "published"
    # A source added after the publication is a later change, read from the start or from any point.
    Source.objects.create(event=fresh, publisher="ERR", title="Follow-up", kind=Source.Kind.NEWS)
    assert dict(walk(client))["fresh"] == "changed"
    assert dict(walk(client, "limit=1"))["fresh"] == "changed"
