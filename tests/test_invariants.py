"""Every invariant of the record is refused by clean() with a clear message and, where a database
can hold it, by a constraint too (so a bulk write or a raw update cannot break it either)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Event, EventActor, Reaction, Source
from tests import factories

pytestmark = pytest.mark.django_db


def clean_errors(obj) -> dict:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def violates_constraint(**changes) -> bool:
    event = factories.event()
    try:
        with transaction.atomic():
            Event.objects.filter(pk=event.pk).update(**changes)
    except IntegrityError:
        return True
    return False


def test_end_date_before_start_is_refused():
    event = factories.event(date=datetime.date(2024, 3, 8))
    event.end_date = datetime.date(2024, 3, 1)
    assert clean_errors(event)["end_date"] == ["The end date cannot be before the start date."]
    assert violates_constraint(end_date=datetime.date(2024, 3, 1))


@pytest.mark.parametrize("value", [Decimal("10.1"), Decimal("-10.5")])
def test_escalation_outside_the_scale_is_refused(value):
    event = factories.event()
    event.escalation = value
    event.escalation_note = "testing the bound"
    assert "escalation" in clean_errors(event)
    assert violates_constraint(escalation=value)


def test_escalation_bounds_themselves_are_allowed():
    for value in (Decimal("10"), Decimal("-10")):
        event = factories.event(escalation=value, escalation_note="the bound itself")
        event.full_clean()


def test_escalation_defaults_from_the_type():
    event = factories.event(type="official-warning")
    assert event.escalation == Decimal("7.0")


def test_overriding_the_escalation_needs_a_note():
    event = factories.event(type="official-warning")
    event.escalation = Decimal("9.0")
    assert clean_errors(event)["escalation_note"] == ["The escalation differs from the type's default (7.0): say why."]
    event.escalation_note = "Explicit nuclear threat."
    event.full_clean()


@pytest.mark.parametrize(
    "field,value", [("latitude", Decimal("90.5")), ("latitude", Decimal("-91")), ("longitude", Decimal("180.1"))]
)
def test_coordinates_out_of_range_are_refused(field, value):
    event = factories.event(latitude=Decimal("54.7"), longitude=Decimal("25.3"))
    setattr(event, field, value)
    assert field in clean_errors(event)
    assert violates_constraint(**{field: value})


def test_latitude_without_longitude_is_refused():
    event = factories.event()
    event.latitude = Decimal("54.7")
    assert clean_errors(event)["latitude"] == ["Give both latitude and longitude, or neither."]
    assert violates_constraint(latitude=Decimal("54.7"))


def test_an_event_cannot_respond_to_itself():
    event = factories.event()
    link = Reaction(event=event, responds_to=event)
    assert clean_errors(link)["responds_to"] == ["An event cannot respond to itself."]
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(event=event, responds_to=event)


def test_an_event_cannot_respond_to_a_later_one():
    earlier = factories.event(date=datetime.date(2024, 3, 1), title="Earlier")
    later = factories.event(date=datetime.date(2024, 3, 9), title="Later")
    message = clean_errors(Reaction(event=earlier, responds_to=later))["responds_to"][0]
    assert "cannot respond to a later one" in message and "Later" in message and "9 March 2024" in message
    Reaction(event=later, responds_to=earlier).full_clean()


def test_the_same_reaction_cannot_be_recorded_twice():
    earlier, later = factories.event(), factories.event()
    factories.reaction(later, earlier)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.reaction(later, earlier)


def test_publishing_needs_an_initiator_and_a_source():
    event = factories.event()
    event.status = Event.Status.PUBLISHED
    problems = clean_errors(event)["status"]
    assert "Publishing needs at least one initiator (an actor with the role 'initiator')." in problems
    assert "Publishing needs at least one source." in problems

    EventActor.objects.create(event=event, actor=factories.actor("Russia"), role=EventActor.Role.TARGET)
    Source.objects.create(event=event, url="https://news.example/a", publisher="Example")
    assert clean_errors(event)["status"] == [
        "Publishing needs at least one initiator (an actor with the role 'initiator')."
    ]
    EventActor.objects.create(event=event, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    event.full_clean()


def test_confirmed_needs_a_source_that_is_not_the_actors_own_statement():
    event = factories.event(verification=Event.Verification.CONFIRMED)
    EventActor.objects.create(event=event, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    Source.objects.create(event=event, url="https://nato.example/pr", publisher="NATO", kind=Source.Kind.OFFICIAL)
    event.status = Event.Status.PUBLISHED
    assert "'Confirmed' needs a source" in clean_errors(event)["status"][0]
    Source.objects.create(event=event, url="https://news.example/b", publisher="Reuters", kind=Source.Kind.NEWS)
    event.full_clean()


def test_a_retraction_needs_a_public_note():
    event = factories.published_event()
    event.status = Event.Status.RETRACTED
    assert clean_errors(event)["retraction_note"] == ["A retraction needs a public note saying why."]
    assert violates_constraint(status="retracted", retraction_note="", published_at=event.published_at)


def test_a_public_event_carries_its_publication_time():
    assert violates_constraint(status="published", published_at=None)
    assert factories.published_event().published_at is not None


def test_a_source_without_url_needs_a_title():
    event = factories.event()
    source = Source(event=event, publisher="Printed weekly", url="", title="")
    assert "A source without a URL needs a title" in clean_errors(source)["__all__"][0]
    Source(event=event, publisher="Printed weekly", title="Issue 12, p. 3").full_clean()


def test_a_date_known_to_the_month_is_stored_on_its_first_day_and_shown_as_the_month():
    event = factories.event(date=datetime.date(2024, 3, 17), date_precision=Event.Precision.MONTH)
    event.refresh_from_db()
    assert event.date == datetime.date(2024, 3, 1)
    assert event.date_display == "March 2024"


def test_dates_are_shown_at_their_precision():
    assert factories.event(date=datetime.date(2024, 3, 8)).date_display == "8 March 2024"
    year = factories.event(date=datetime.date(2023, 6, 5), date_precision=Event.Precision.YEAR)
    assert (year.date, year.date_display) == (datetime.date(2023, 1, 1), "2023")


def test_reaction_lag_is_derived():
    earlier = factories.event(date=datetime.date(2024, 3, 8))
    later = factories.event(date=datetime.date(2024, 3, 10))
    assert factories.reaction(later, earlier).lag_display == "+2 days"
    same_day = factories.event(date=datetime.date(2024, 3, 8))
    assert factories.reaction(same_day, earlier).lag_display == "same day"


def test_a_slug_is_made_from_the_title_and_date_when_missing():
    one = factories.event(slug="", title="Patriot systems for Lithuania", date=datetime.date(2024, 3, 8))
    two = factories.event(slug="", title="Patriot systems for Lithuania", date=datetime.date(2024, 3, 8))
    assert one.slug == "patriot-systems-for-lithuania-2024-03-08"
    assert two.slug == "patriot-systems-for-lithuania-2024-03-08-2"
