"""Moving an event through review to publication and retraction."""

import pytest
from django.core.exceptions import ValidationError

from events import services
from events.models import Event, EventActor, Source
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_draft_goes_to_review_then_to_publication():
    event = factories.event()
    services.submit_for_review(event=event)
    EventActor.objects.create(event=event, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    Source.objects.create(event=event, url="https://news.example/x", publisher="Example")
    services.publish_event(event=event)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and event.published_at is not None


def test_publishing_without_initiator_or_source_says_what_is_missing():
    event = factories.event(status=Event.Status.IN_REVIEW)
    with pytest.raises(ValidationError) as exc:
        services.publish_event(event=event)
    assert exc.value.messages == [
        "Publishing needs at least one initiator (an actor with the role 'initiator').",
        "Publishing needs at least one source.",
    ]
    event.refresh_from_db()
    assert event.status == Event.Status.IN_REVIEW


def test_only_a_draft_goes_to_review():
    with pytest.raises(ValidationError, match="Only a draft"):
        services.submit_for_review(event=factories.published_event())


def test_retraction_keeps_the_event_with_its_note():
    event = factories.published_event()
    with pytest.raises(ValidationError, match="public note"):
        services.retract_event(event=event, note="  ")
    services.retract_event(event=event, note="Two sources withdrew the report.")
    event.refresh_from_db()
    assert event.status == Event.Status.RETRACTED
    assert event.retraction_note == "Two sources withdrew the report."
    assert Event.objects.public().filter(pk=event.pk).exists()


def test_a_draft_cannot_be_retracted():
    with pytest.raises(ValidationError, match="Only a published event"):
        services.retract_event(event=factories.event(), note="why")
