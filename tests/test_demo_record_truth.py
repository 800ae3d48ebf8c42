"""The demo record as the sources support it: check_record finds no error, and the seed is told straight."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from events import quality
from events.models import Event, Reaction
from events.selectors import event_filter

SEED = "nato-patriot-lithuania-announcement"
MARCH_WARNING = "russia-warns-against-foreign-forces-lithuania"
JANUARY_WARNING = "zakharova-warns-nato-buildup-lithuania-jan-2024"
BRIGADE_ROADMAP = "germany-lithuania-brigade-roadmap"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_demo_record_has_no_error(capsys):
    """CI runs the rules on the demo record: it may hold warnings, never an error."""
    call_command("check_record", "--errors-only", no_color=True)
    assert " 0 error(s)" in capsys.readouterr().out


NEW_RULES = (
    quality.unconfirmed_override_without_reason,
    quality.links_source_unconnected,
    quality.link_note_against_dates,
)


def test_the_rules_of_issue_22_find_nothing_left_in_the_demo_record():
    assert list(quality.find_problems(rules=NEW_RULES)) == []


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


def test_the_march_warning_is_retracted_as_a_duplicate_of_the_january_one_and_counts_nowhere():
    """The seed's warning is Zakharova's January one, recalled by RT: one warning, counted once."""
    warning = Event.objects.get(slug=MARCH_WARNING)
    assert warning.status == Event.Status.RETRACTED
    assert "duplicate" in warning.retraction_note and JANUARY_WARNING in warning.retraction_note
    assert MARCH_WARNING not in event_filter(params={}).qs.values_list("slug", flat=True)
    rt = warning.sources.get(publisher="RT")
    assert Event.objects.get(slug=JANUARY_WARNING).sources.filter(url=rt.url).exists()


def test_the_january_warning_is_confirmed_and_answers_the_german_brigade_roadmap():
    warning = Event.objects.get(slug=JANUARY_WARNING)
    assert warning.date == datetime.date(2024, 1, 12)
    assert warning.verification == Event.Verification.CONFIRMED
    assert [e.slug for e in warning.responds_to.all()] == [BRIGADE_ROADMAP]
    assert Reaction.objects.get(event=warning).has_basis


# --- the fact-check of issue #22, problem by problem ---------------------------------------------


def link(event: str, answered: str) -> Reaction:
    return Reaction.objects.get(event__slug=event, responds_to__slug=answered)


def test_1_the_claimed_nuclear_arrival_is_scored_at_its_types_default():
    arrival = Event.objects.get(slug="belarus-receives-russian-nuclear-weapons")
    assert arrival.verification == Event.Verification.CLAIMED
    assert arrival.escalation == arrival.event_type.default_escalation == Decimal("7.2")


def test_2_the_brigade_roadmaps_link_to_the_summit_is_the_editors_judgement():
    roadmap = link("germany-lithuania-brigade-roadmap", "nato-vilnius-summit-2023")
    assert roadmap.basis_source is None and "26 June 2023" in roadmap.basis_judgement


def test_3_latvia_responds_to_russias_expulsion_in_solidarity_with_estonia():
    assert link("latvia-downgrades-relations-russia-solidarity", "russia-expels-estonian-ambassador").kind == "response"


def test_4_the_buffer_zone_is_dated_at_its_activation_and_its_note_says_when_it_was_announced():
    zone = link("poland-buffer-zone-belarus-border", "polish-soldier-dies-after-border-stabbing")
    assert zone.event.date == datetime.date(2024, 6, 13)
    assert "29 May" in zone.note and "day after" not in zone.note


def test_5_the_december_warning_quotes_the_military_planning_it_mentioned():
    warning = Event.objects.get(slug="zakharova-warns-german-brigade-escalation-dec-2023")
    assert "military planning" in warning.escalation_note
    assert "no threat of specific military consequences" not in warning.escalation_note
    assert warning.sources.filter(publisher__startswith="TASS", published_on=datetime.date(2023, 12, 20)).exists()


def test_6_no_source_title_carries_an_unmarked_insertion():
    assert not Event.objects.get(slug="eu-guidance-kaliningrad-rail-transit").sources.filter(title__contains="[")


def test_7_and_8_the_nuclear_drills_and_putins_announcement_are_placed_in_russia():
    for slug in ("russia-belarus-tactical-nuclear-drills-2024", "putin-announces-nuclear-weapons-belarus"):
        event = Event.objects.get(slug=slug)
        assert event.location_country.iso2 == "RU", slug
        assert "Minsk" not in event.location_name and event.latitude is None, slug


def test_9_the_polish_emergency_note_tells_the_request_from_the_decree():
    note = Event.objects.get(slug="poland-state-of-emergency-belarus-border-2021").verification_note
    assert "wPolityce reports the cabinet's request" in note
