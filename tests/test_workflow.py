"""Draft → in review → published → retracted, through the admin's form buttons and actions."""

import pytest
from django.urls import reverse

from events.models import Event, EventActor, Source
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:events_event_changelist")


def change_url(event):
    return reverse("admin:events_event_change", args=[event.pk])


@pytest.fixture
def publisher(client):
    client.force_login(factories.staff_user("pia", "Publisher"))
    return client


def test_publishing_from_the_form_says_which_requirement_is_missing(publisher):
    event = factories.event(status=Event.Status.IN_REVIEW)
    response = publisher.post(change_url(event), factories.admin_event_form(event, _publish="1"), follow=True)
    text = response.content.decode()
    assert "Saved, but not published" in text
    assert "at least one initiator" in text and "at least one source" in text
    event.refresh_from_db()
    assert event.status == Event.Status.IN_REVIEW


def test_publishing_from_the_form_names_only_what_is_still_missing(publisher):
    event = factories.event(status=Event.Status.IN_REVIEW)
    EventActor.objects.create(event=event, actor=factories.actor("Russia"), role=EventActor.Role.INITIATOR)
    response = publisher.post(change_url(event), factories.admin_event_form(event, _publish="1"), follow=True)
    text = response.content.decode()
    assert "at least one source" in text and "at least one initiator" not in text
    assert Event.objects.get(pk=event.pk).status == Event.Status.IN_REVIEW


def test_the_form_publishes_with_the_actor_and_source_entered_in_the_same_request(publisher):
    event = factories.event(status=Event.Status.IN_REVIEW)
    data = factories.admin_event_form(event, _publish="1")
    factories.add_inline(data, "event_actors", actor=factories.actor("Russia").pk, role="initiator")
    factories.add_inline(data, "sources", url="https://tass.example/1", kind="news", publisher="TASS", title="")
    response = publisher.post(change_url(event), data, follow=True)
    assert "saved and published" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and event.published_at is not None
    assert event.sources.count() == 1 and [a.slug for a in event.initiators] == ["russia"]


def test_a_new_event_is_created_as_a_draft_and_sent_to_review_from_the_form(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    data = factories.admin_event_form(_submit_review="1", status="published")
    response = client.post(reverse("admin:events_event_add"), data, follow=True)
    assert response.status_code == 200
    event = Event.objects.get()
    assert event.status == Event.Status.IN_REVIEW, "status moves only by the workflow, never as a form field"
    assert event.escalation == event.event_type.default_escalation, "escalation is pre-filled from the type"


def test_the_publish_action_publishes_the_ready_and_names_what_the_others_lack(publisher):
    ready = factories.event(status=Event.Status.IN_REVIEW)
    EventActor.objects.create(event=ready, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    Source.objects.create(event=ready, url="https://nato.example/a", publisher="NATO", kind=Source.Kind.OFFICIAL)
    lacking = factories.event(status=Event.Status.IN_REVIEW, title="No source yet")
    EventActor.objects.create(event=lacking, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    response = publisher.post(
        CHANGELIST, {"action": "publish", "_selected_action": [ready.pk, lacking.pk]}, follow=True
    )
    text = response.content.decode()
    assert "“No source yet” not published: Publishing needs at least one source." in text
    assert Event.objects.get(pk=ready.pk).status == Event.Status.PUBLISHED
    assert Event.objects.get(pk=lacking.pk).status == Event.Status.IN_REVIEW


def test_send_to_review_action(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    draft = factories.event()
    client.post(CHANGELIST, {"action": "send_to_review", "_selected_action": [draft.pk]})
    assert Event.objects.get(pk=draft.pk).status == Event.Status.IN_REVIEW


def test_retracting_needs_a_public_note_and_keeps_the_event_public_and_marked(publisher):
    event = factories.published_event(title="Jamming claim")
    retract = reverse("admin:events_event_retract", args=[event.pk])
    response = publisher.post(retract, {"retraction_note": "  "})
    assert "A retraction needs a public note" in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED

    publisher.post(retract, {"retraction_note": "The only source withdrew its report."})
    event.refresh_from_db()
    assert event.status == Event.Status.RETRACTED
    page = publisher.get(event.get_absolute_url())
    assert page.status_code == 200 and "The only source withdrew its report." in page.content.decode()
    assert Event.objects.public().filter(pk=event.pk).exists()


def test_the_retract_action_asks_for_the_note_first(publisher):
    event = factories.published_event()
    first = publisher.post(CHANGELIST, {"action": "retract", "_selected_action": [event.pk]})
    assert first.status_code == 200 and 'name="retraction_note"' in first.content.decode()
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    publisher.post(
        CHANGELIST,
        {"action": "retract", "_selected_action": [event.pk], "confirm": "1", "retraction_note": "Duplicate entry."},
    )
    event.refresh_from_db()
    assert (event.status, event.retraction_note) == (Event.Status.RETRACTED, "Duplicate entry.")


def test_staff_preview_shows_a_draft_that_readers_cannot_see(client, publisher):
    draft = factories.event(title="Unreviewed deployment")
    preview = reverse("admin:events_event_preview", args=[draft.pk])
    response = publisher.get(preview)
    assert response.status_code == 200
    assert (
        "Unreviewed deployment" in response.content.decode()
        and "readers cannot see it yet" in response.content.decode()
    )
    publisher.logout()
    assert client.get(preview).status_code == 302  # to the admin login
    assert client.get(draft.get_absolute_url()).status_code == 404
