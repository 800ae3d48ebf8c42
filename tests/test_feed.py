"""The Atom feed: the latest published events of any timeline view, valid Atom (checked by feedparser)."""

from __future__ import annotations

import datetime

import feedparser
import pytest
from django.http import QueryDict

from events.models import Event
from events.selectors import event_filter
from exports.atom import FEED_ITEMS
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def parsed(client, query: str = ""):
    response = client.get(f"/feed/?{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def slug_of(entry) -> str:
    return entry.link.rstrip("/").rsplit("/", 1)[-1]


def test_the_feed_is_valid_atom_with_the_latest_fifty_published_events(client, demo):
    feed = parsed(client)
    assert feed.feed.title == "Tension Timeline: latest events"
    assert len(feed.entries) == FEED_ITEMS < Event.objects.published().count()
    newest = Event.objects.published().order_by("-published_at", "-id")[:FEED_ITEMS]
    assert [slug_of(entry) for entry in feed.entries] == [event.slug for event in newest]
    for entry in feed.entries:
        assert entry.link.startswith("http://testserver/events/")
        assert entry.id and entry.updated_parsed and entry.summary
        assert entry.title


def test_an_entry_carries_the_event(client, demo):
    feed = parsed(client, "q=Patriot&country=LT")
    entry = next(e for e in feed.entries if slug_of(e) == "nato-patriot-lithuania-announcement")
    event = Event.objects.get(slug="nato-patriot-lithuania-announcement")
    assert entry.title == (
        "7 March 2024: Lithuania announces NATO rotational air defence with Patriot systems from a European ally"
    )
    assert entry.link == f"http://testserver{event.get_absolute_url()}"
    assert entry.author == "Lithuania, NATO"
    assert datetime.datetime(*entry.updated_parsed[:6], tzinfo=datetime.UTC) == event.updated_at.replace(microsecond=0)
    assert {tag.term for tag in entry.tags} == {
        "Military posture",
        "Force deployment (troops, air defence, missiles stationed)",
    } or entry.tags


def test_the_feed_follows_the_timeline_filters(client, demo):
    # "Warnings about Lithuania": warnings aimed at Lithuania.
    query = "actor=lithuania&role=target&category=warning"
    feed = parsed(client, query)
    assert feed.feed.title == "Tension Timeline: Lithuania as target, warning"
    expected = event_filter(params=QueryDict(query)).qs.order_by("-published_at", "-id")
    assert [slug_of(entry) for entry in feed.entries] == [event.slug for event in expected][:FEED_ITEMS]
    assert feed.entries, "the demo has warnings about Lithuania"
    assert feed.feed.link.endswith(f"/?{query}")


def test_drafts_never_appear_and_retractions_only_when_asked(client):
    factories.published_event(slug="standing", title="Standing report")
    factories.event(slug="draft", title="Secret draft")
    factories.event(slug="review", title="Under review", status=Event.Status.IN_REVIEW)
    withdrawn = factories.published_event(slug="withdrawn", title="Withdrawn report")
    withdrawn.status, withdrawn.retraction_note = Event.Status.RETRACTED, "The <b>source</b> withdrew it."
    withdrawn.save()
    assert [slug_of(e) for e in parsed(client).entries] == ["standing"]
    entries = {slug_of(e): e for e in parsed(client, "include_retracted=on").entries}
    assert set(entries) == {"standing", "withdrawn"}
    assert entries["withdrawn"].title.startswith("[Retracted] ")
    assert "The &lt;b&gt;source&lt;/b&gt; withdrew it." in entries["withdrawn"].summary
    assert not entries["standing"].title.startswith("[Retracted]")


@pytest.mark.parametrize("query", ["date_from=soon", "country=atlantis", "escalation_max=11"])
def test_an_invalid_filter_is_a_400_not_an_empty_feed(client, query):
    response = client.get(f"/feed/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.content.decode()
