"""The change feed: a mirror that applies it in order holds exactly the public record, retractions and
removals included, and never hears of a draft."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from events.models import Actor, Event, EventActor, Source
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


class Mirror:
    """A copy of the record kept by the feed alone, as a mirror site would."""

    def __init__(self, client) -> None:
        self.client, self.events, self.cursor, self.seen = client, {}, None, []

    def sync(self, limit: int = 2) -> None:
        url = f"/api/changes/?limit={limit}" + (f"&cursor={self.cursor}" if self.cursor else "")
        while True:
            response = self.client.get(url)
            assert response.status_code == 200, response.content
            body = response.json()
            for change in body["changes"]:
                self.seen.append((change["change"], change["slug"]))
                if change["change"] == "removed":
                    self.events = {k: v for k, v in self.events.items() if v["slug"] != change["slug"]}
                else:
                    self.events[change["event"]["id"]] = change["event"]
            self.cursor = body["cursor"]
            if not body["more"]:
                return
            url = body["next"]


def the_record(client) -> dict[int, dict]:
    """The public record as the API's list gives it (retracted events included)."""
    events = client.get("/api/events/?include_retracted=1&page_size=1000").json()["results"]
    return {event["id"]: event for event in events}


def test_a_mirror_replays_to_the_same_record_as_the_database(client, record):
    mirror = Mirror(client)
    mirror.sync()
    assert mirror.events == the_record(client)
    assert not {"draft", "review"} & {slug for _, slug in mirror.seen}

    # Publishing a draft, editing an event, adding a source, retracting, unpublishing, deleting,
    # renaming an actor: after each sync the copy equals the record.
    draft = Event.objects.get(slug="draft")
    EventActor.objects.create(event=draft, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    Source.objects.create(event=draft, publisher="LRT", title="Follow-up", kind="news")
    draft.status = Event.Status.PUBLISHED
    draft.save()
    patriot = Event.objects.get(slug="patriot")
    patriot.title = "Patriot systems for Lithuania (corrected)"
    patriot.save()
    Source.objects.create(event=Event.objects.get(slug="talks"), publisher="PAP", title="Talks", kind="news")
    mirror.seen.clear()
    mirror.sync()
    assert mirror.events == the_record(client)
    kinds = dict((slug, kind) for kind, slug in mirror.seen)
    assert kinds["draft"] == "published" and kinds["patriot"] == "changed" and kinds["talks"] == "changed"
    # The warning reacts to the patriot event: its copy of the reaction link carries the new title.
    assert kinds["warning"] == "changed"

    talks = Event.objects.get(slug="talks")
    talks.status, talks.retraction_note = Event.Status.RETRACTED, "Never took place."
    talks.save()
    warning = Event.objects.get(slug="warning")
    warning.status = Event.Status.DRAFT  # back to the editors: it must leave the copies
    warning.save()
    Event.objects.get(slug="withdrawn").delete()
    Actor.objects.filter(slug="russia").update(
        name="Russian Federation", updated_at=datetime.datetime.now(datetime.UTC)
    )
    mirror.seen.clear()
    mirror.sync()
    assert mirror.events == the_record(client)
    kinds = dict((slug, kind) for kind, slug in mirror.seen)
    assert kinds["talks"] == "retracted"
    assert mirror.events[talks.pk]["retraction_note"] == "Never took place."
    assert kinds["warning"] == "removed" and kinds["withdrawn"] == "removed"

    # Nothing new: an empty answer that keeps the position.
    cursor = mirror.cursor
    mirror.seen.clear()
    mirror.sync()
    assert mirror.seen == [] and mirror.cursor == cursor


def test_drafts_never_appear_in_the_feed_not_even_as_removals(client, record):
    hidden = factories.event(slug="secret-draft", title="Secret draft")
    hidden.title = "Secret draft, edited"
    hidden.save()
    Source.objects.create(event=hidden, publisher="X", title="Y", kind="news")
    hidden.delete()
    mirror = Mirror(client)
    mirror.sync(limit=100)
    assert not {"secret-draft", "draft", "review"} & {slug for _, slug in mirror.seen}


def test_since_a_time_gives_only_later_changes_in_order(client, record):
    before = datetime.datetime.now(datetime.UTC)
    talks = Event.objects.get(slug="talks")
    talks.summary = "Changed."
    talks.save()
    body = client.get("/api/changes/", {"since": before.isoformat()}).json()
    assert [c["slug"] for c in body["changes"]] == ["talks"]
    times = [c["changed_at"] for c in client.get("/api/changes/?limit=100").json()["changes"]]
    assert times == sorted(times)


@pytest.mark.parametrize("query", ["since=yesterday", "cursor=zz", "cursor=eyJ0IjoxfQ", "limit=0", "limit=x"])
def test_bad_feed_input_is_a_clear_400(client, record, query):
    response = client.get(f"/api/changes/?{query}")
    assert response.status_code == 400, response.content
