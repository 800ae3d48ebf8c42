"""The demo record as the sources support it: check_record finds no error, and the seed is told straight."""

import datetime

import pytest
from django.core.management import call_command

from events.models import Event, Reaction

SEED = "nato-patriot-lithuania-announcement"
MARCH_WARNING = "russia-warns-against-foreign-forces-lithuania"
JANUARY_WARNING = "zakharova-warns-nato-buildup-lithuania-jan-2024"
BRIGADE_ROADMAP = "germany-lithuania-brigade-roadmap"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_demo_record_has_no_error(capsys):
    """CI runs the rules on the demo record: it may hold warnings, never an error."""
    call_command("check_record", "--errors-only", no_color=True)
    assert " 0 error(s)" in capsys.readouterr().out


def test_every_link_of_the_demo_record_says_its_basis():
    assert not Reaction.objects.without_basis().exists()


def test_the_patriot_announcement_is_dated_7_march_2024_and_confirmed():
    announcement = Event.objects.get(slug=SEED)
    assert announcement.date == datetime.date(2024, 3, 7)
    assert announcement.verification == Event.Verification.CONFIRMED and announcement.verification_note


def test_the_march_warning_is_disputed_with_its_note_and_answers_nothing():
    warning = Event.objects.get(slug=MARCH_WARNING)
    assert warning.verification == Event.Verification.DISPUTED
    assert "seed" in warning.verification_note.lower()
    assert not warning.responds_to.exists()


def test_the_january_warning_is_confirmed_and_answers_the_german_brigade_roadmap():
    warning = Event.objects.get(slug=JANUARY_WARNING)
    assert warning.date == datetime.date(2024, 1, 12)
    assert warning.verification == Event.Verification.CONFIRMED
    assert [e.slug for e in warning.responds_to.all()] == [BRIGADE_ROADMAP]
    assert Reaction.objects.get(event=warning).has_basis
