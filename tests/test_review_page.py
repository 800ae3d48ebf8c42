"""The publisher's review of an event (issue 20, "Review with eyes open"): what changed since its last
publication, its likely duplicates, what the latest check of each source's page found, and a checklist
that holds exactly the problems publishing would refuse with. Publishers only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from editorial.models import Finding, SourceSnapshot
from events import services
from events.models import Event, workflow
from tests import factories

pytestmark = pytest.mark.django_db


def review_url(event: Event) -> str:
    return reverse("admin:events_event_review", args=[event.pk])


def logged_in(client, role: str):
    client.force_login(factories.staff_user(role.lower(), role))
    return client


def test_the_publisher_sees_what_changed_since_the_last_publication(client):
    publisher = logged_in(client, "Publisher")
    event = factories.published_event(title="Patriot systems to rotate through Lithuania")
    data = factories.admin_event_form(event, title="Patriot air defence to rotate through Lithuania")
    factories.add_inline(data, "sources", url="https://lrt.example/patriot", kind="news", publisher="LRT", title="")
    assert publisher.post(reverse("admin:events_event_change", args=[event.pk]), data).status_code == 302

    changes = publisher.get(review_url(event)).context["field_changes"]
    text = publisher.get(review_url(event)).content.decode()

    assert [(c.field, c.old, c.new) for c in changes] == [
        ("title", "Patriot systems to rotate through Lithuania", "Patriot air defence to rotate through Lithuania")
    ]
    assert "<del>Patriot systems to rotate through Lithuania</del>" in text
    assert "Source added" in text and "LRT: https://lrt.example/patriot" in text


def test_an_unchanged_publication_and_a_never_published_draft_say_so(client):
    publisher = logged_in(client, "Publisher")
    event = factories.published_event()
    services.retract_event(event=event, note="Withdrawn by the source.")
    services.publish_event(event=event)  # after its actor and source were added
    assert "Nothing has changed since." in publisher.get(review_url(event)).content.decode()
    assert "Never published" in publisher.get(review_url(factories.event())).content.decode()


def test_the_diff_starts_at_the_latest_publication_not_the_first(client):
    publisher = logged_in(client, "Publisher")
    event = factories.published_event(title="First title")
    event.title = "Second title"
    event.save()
    services.retract_event(event=event, note="Withdrawn by the source.")
    services.publish_event(event=event)
    event.title = "Third title"
    event.save()

    changes = publisher.get(review_url(event)).context["field_changes"]

    assert [(c.field, c.old, c.new) for c in changes] == [("title", "Second title", "Third title")]


def test_the_checklist_holds_the_problems_publishing_refuses_with(client):
    publisher = logged_in(client, "Publisher")
    earlier = factories.published_event(title="Earlier event", date=datetime.date(2024, 3, 1))
    event = factories.event(status=Event.Status.IN_REVIEW)
    factories.reaction(event, earlier, basis_judgement="")
    with pytest.raises(ValidationError) as refused:
        services.publish_event(event=event)

    response = publisher.get(review_url(event))
    text = response.content.decode()

    listed = [problem for _, problems in response.context["checks"] for problem in problems]
    assert listed == refused.value.messages
    assert all(escape(problem) in text for problem in listed)
    assert [label for label, _ in response.context["checks"]] == [check.label for check in workflow.PUBLISH_CHECKS]
    assert "Publishing is refused until each item is met" in text


def test_a_ready_event_has_every_item_ticked_and_publishes(client):
    publisher = logged_in(client, "Publisher")
    event = factories.published_event()
    event.status = Event.Status.IN_REVIEW
    event.save()

    response = publisher.get(review_url(event))

    assert response.context["ready"] and all(not problems for _, problems in response.context["checks"])
    assert "Ready to publish" in response.content.decode()
    services.publish_event(event=event)


def test_the_review_shows_the_likely_duplicates(client):
    publisher = logged_in(client, "Publisher")
    original = factories.published_event(title="Lithuania announces Patriot rotation", date=datetime.date(2024, 3, 7))
    again = factories.event(title="Lithuania announces a Patriot rotation", date=datetime.date(2024, 3, 8))

    text = publisher.get(review_url(again)).content.decode()

    assert reverse("admin:events_event_change", args=[original.pk]) in text
    assert "Not marked." in text


def test_the_review_shows_what_the_latest_check_found_of_each_page(client):
    publisher = logged_in(client, "Publisher")
    event = factories.published_event()
    gone = event.sources.create(url="https://news.example/gone", publisher="Gone News", title="Gone")
    SourceSnapshot.objects.create(source=gone, url=gone.url, finding=Finding.GONE, http_status=404)

    rows = {row.source.publisher: row for row in publisher.get(review_url(event)).context["sources"]}

    assert rows["Gone News"].finding == Finding.GONE.label and rows["Gone News"].needs_attention
    assert rows["Example News"].finding == "never checked" and not rows["Example News"].needs_attention


def test_the_form_links_the_review_for_publishers_only(client):
    event = factories.event()
    change = reverse("admin:events_event_change", args=[event.pk])
    assert review_url(event) not in logged_in(client, "Editor").get(change).content.decode()
    assert review_url(event) in logged_in(client, "Publisher").get(change).content.decode()


def test_editors_cannot_open_the_review(client):
    assert logged_in(client, "Editor").get(review_url(factories.event())).status_code == 403


def test_readers_are_sent_to_the_login(client):
    assert client.get(review_url(factories.event())).status_code == 302
