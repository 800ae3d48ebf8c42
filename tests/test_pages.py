"""Readers' pages: only public events, and drafts are 404 for anyone but staff."""

import pytest
from django.contrib.auth import get_user_model

from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_front_page_lists_published_events_only(client):
    factories.published_event(title="Patriot systems for Lithuania")
    factories.event(title="Secret draft")
    factories.event(title="Under review", status=Event.Status.IN_REVIEW)
    html = client.get("/").content.decode()
    assert "Patriot systems for Lithuania" in html
    assert "Secret draft" not in html and "Under review" not in html


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.IN_REVIEW])
def test_unpublished_event_pages_are_404_for_readers_and_visible_to_staff(client, status):
    event = factories.event(status=status)
    assert client.get(event.get_absolute_url()).status_code == 404
    staff = get_user_model().objects.create_user("ed", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_a_retracted_event_shows_its_note(client):
    event = factories.published_event()
    event.status, event.retraction_note = Event.Status.RETRACTED, "The report was withdrawn."
    event.save()
    assert "The report was withdrawn." in client.get(event.get_absolute_url()).content.decode()
