"""manage.py check_record: each data-quality rule finds its problem and stays quiet on a sound record."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from events import quality
from events.models import Event, Reaction, Source
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def found(rule, events=None) -> list[tuple[str, str, str]]:
    events = Event.objects.published() if events is None else events
    return [(p.severity, p.rule, p.event_slug) for p in rule(events)]


def second_source(event: Event, **kw) -> Source:
    values = {
        "url": f"https://other.example/{event.slug}",
        "publisher": "Other News",
        "title": "A second report",
        "published_on": event.date,
    }
    values.update(kw)
    return Source.objects.create(event=event, **values)


@pytest.fixture
def pair():
    """An announcement and a warning answering it, both published, each with two dated sources."""
    # Titles apart: two days apart, "Event 1" and "Event 2" would be likely duplicates (events.duplicates).
    announcement = factories.published_event(
        slug="announcement", title="NATO announces Patriots for Lithuania", date=D(2024, 3, 7)
    )
    warning = factories.published_event(
        slug="warning", title="Russia warns against foreign forces", type="official-warning", date=D(2024, 3, 9)
    )
    for event in (announcement, warning):
        event.sources.update(published_on=event.date)
        second_source(event)
    return announcement, warning


def test_a_link_without_basis_is_an_error_and_one_with_a_source_or_judgement_is_not(pair):
    announcement, warning = pair
    link = factories.reaction(warning, announcement, basis_judgement="")
    assert found(quality.links_without_basis) == [("error", "link-without-basis", "warning")]
    link.basis_judgement = "   "
    link.save()
    assert found(quality.links_without_basis) == [("error", "link-without-basis", "warning")]
    link.basis_judgement = "The warning names the announcement."
    link.save()
    assert found(quality.links_without_basis) == []
    link.basis_judgement, link.basis_source = "", warning.sources.first()
    link.save()
    assert found(quality.links_without_basis) == []


def test_a_link_resting_on_a_third_events_source_is_an_error(pair):
    announcement, warning = pair
    elsewhere = factories.published_event(slug="elsewhere", date=D(2024, 1, 1))
    link = factories.reaction(warning, announcement, basis_source=elsewhere.sources.first())
    assert found(quality.links_backed_by_another_events_source) == [("error", "link-basis-elsewhere", "warning")]
    link.basis_source = announcement.sources.first()
    link.save()
    assert found(quality.links_backed_by_another_events_source) == []
    link.basis_source = Source.objects.create(event=None, url="https://analysis.example/link", publisher="Analyst")
    link.save()
    assert found(quality.links_backed_by_another_events_source) == []


def test_a_single_source_is_a_warning_and_none_an_error(pair):
    announcement, warning = pair
    assert found(quality.source_count) == []
    warning.sources.last().delete()
    announcement.sources.all().delete()
    assert found(quality.source_count) == [
        ("error", "no-source", "announcement"),
        ("warning", "single-source", "warning"),
    ]


def test_confirmed_on_the_actors_own_statements_is_an_error(pair):
    announcement, _ = pair
    Event.objects.filter(pk=announcement.pk).update(verification=Event.Verification.CONFIRMED)
    announcement.sources.update(kind=Source.Kind.OFFICIAL)
    announcement.sources.filter(pk=announcement.sources.last().pk).update(kind=Source.Kind.SOCIAL)
    assert found(quality.confirmed_on_own_sources) == [("error", "confirmed-on-own-sources", "announcement")]
    announcement.sources.filter(pk=announcement.sources.last().pk).update(kind=Source.Kind.NEWS)
    assert found(quality.confirmed_on_own_sources) == []


def test_an_escalation_override_without_a_note_is_an_error(pair):
    announcement, _ = pair
    Event.objects.filter(pk=announcement.pk).update(escalation=Decimal("4.0"), escalation_note=" ")
    assert found(quality.escalation_override_without_note) == [("error", "escalation-without-note", "announcement")]
    Event.objects.filter(pk=announcement.pk).update(escalation_note="An announced plan, not yet a deployment.")
    assert found(quality.escalation_override_without_note) == []


def test_a_note_saying_above_on_a_score_below_the_default_is_a_warning(pair):
    announcement, _ = pair
    Event.objects.filter(pk=announcement.pk).update(
        escalation=Decimal("5.0"), escalation_note="A physical clash, above the default."
    )
    assert found(quality.escalation_note_against_value) == [("warning", "note-against-value", "announcement")]
    Event.objects.filter(pk=announcement.pk).update(escalation=Decimal("8.0"))
    assert found(quality.escalation_note_against_value) == []


def test_an_override_on_an_unconfirmed_event_needs_a_note_that_weighs_it(pair):
    announcement, _ = pair
    Event.objects.filter(pk=announcement.pk).update(
        verification=Event.Verification.CLAIMED,
        escalation=Decimal("8.0"),
        escalation_note="Actual forward nuclear deployment.",
    )
    assert found(quality.unconfirmed_override_without_reason) == [("warning", "unconfirmed-override", "announcement")]
    Event.objects.filter(pk=announcement.pk).update(
        escalation_note="Above the default if confirmed: only the two leaders claim the weapons arrived."
    )
    assert found(quality.unconfirmed_override_without_reason) == []
    Event.objects.filter(pk=announcement.pk).update(
        verification=Event.Verification.CONFIRMED, escalation_note="Actual forward nuclear deployment."
    )
    assert found(quality.unconfirmed_override_without_reason) == []


def test_a_links_source_that_never_names_the_answered_event_is_a_warning(pair):
    """Bloomberg on the German brigade roadmap places it in NATO's eastern overhaul but never names the summit."""
    summit, roadmap = pair
    Event.objects.filter(pk=summit.pk).update(title="NATO Vilnius summit agrees regional defence plans")
    bloomberg = roadmap.sources.first()
    Source.objects.filter(pk=bloomberg.pk).update(
        title="Germany draws up roadmap with Lithuania to reinforce NATO flank",
        excerpt="Germany and Lithuania signed off on a plan for stationing a permanent brigade.",
        published_on=D(2024, 3, 10),
    )
    link = factories.reaction(roadmap, summit, Reaction.Kind.SUPPORT, basis_source=bloomberg)
    assert found(quality.links_source_unconnected) == [("warning", "link-source-unconnected", "warning")]
    # Naming the alliance or a country is not naming the event; naming the summit is.
    Source.objects.filter(pk=bloomberg.pk).update(excerpt="A brigade, as NATO's Vilnius summit planned.")
    assert found(quality.links_source_unconnected) == []
    # A source dated before the event it is said to answer cannot report an answer to it.
    Source.objects.filter(pk=bloomberg.pk).update(published_on=D(2024, 3, 6))
    assert found(quality.links_source_unconnected) == [("warning", "link-source-unconnected", "warning")]
    link.basis_source, link.basis_judgement = None, "The roadmap carries out the summit's regional plans."
    link.save()
    assert found(quality.links_source_unconnected) == []


def test_a_source_in_another_alphabet_is_not_compared_word_for_word(pair):
    announcement, warning = pair
    tass = warning.sources.first()
    Source.objects.filter(pk=tass.pk).update(title="Захарова: Наращивание сил НАТО в Литве", excerpt="")
    factories.reaction(warning, announcement, basis_source=tass)
    assert found(quality.links_source_unconnected) == []
    Source.objects.filter(pk=tass.pk).update(title="")  # no words at all: it names nothing
    assert found(quality.links_source_unconnected) == [("warning", "link-source-unconnected", "warning")]


@pytest.mark.parametrize(
    ("note", "days_apart", "flagged"),
    [
        ("Announced the day after the stabbing.", 16, True),
        ("Announced the day after the stabbing.", 1, False),
        ("NATO answers the announcement of the day before.", 1, False),
        ("The same day.", 2, True),
        ("Two days later.", 2, False),
        ("Two weeks later.", 5, True),
        ("Two weeks later.", 16, False),
        ("Tusk announced the zone on 29 May, after the stabbing of 28 May.", 16, False),  # states no lag
    ],
)
def test_a_link_note_stating_a_lag_the_dates_contradict_is_a_warning(pair, note, days_apart, flagged):
    announcement, warning = pair
    Event.objects.filter(pk=warning.pk).update(date=announcement.date + datetime.timedelta(days=days_apart))
    factories.reaction(warning, announcement, note=note)
    expected = [("warning", "link-note-against-dates", "warning")] if flagged else []
    assert found(quality.link_note_against_dates) == expected


def test_a_lag_is_read_at_the_precision_the_dates_are_known(pair):
    announcement, warning = pair
    factories.reaction(warning, announcement, note="Answered the next day.")
    Event.objects.filter(pk=warning.pk).update(date=D(2024, 3, 1), date_precision=Event.Precision.MONTH)
    assert found(quality.link_note_against_dates) == []  # "March 2024" may be the 8th
    Event.objects.filter(pk=warning.pk).update(date=D(2024, 3, 20), date_precision=Event.Precision.DAY)
    assert found(quality.link_note_against_dates) == [("warning", "link-note-against-dates", "warning")]


def test_a_source_without_publisher_is_an_error_and_without_date_a_warning(pair):
    announcement, warning = pair
    announcement.sources.filter(pk=announcement.sources.first().pk).update(publisher=" ")
    warning.sources.filter(pk=warning.sources.first().pk).update(published_on=None)
    assert found(quality.sources_without_date_or_publisher) == [
        ("error", "source-without-publisher", "announcement"),
        ("warning", "source-without-date", "warning"),
    ]
    announcement.sources.update(publisher="Example News")
    warning.sources.update(published_on=warning.date)
    assert found(quality.sources_without_date_or_publisher) == []


def test_a_links_own_source_is_checked_with_the_reaction(pair):
    announcement, warning = pair
    own = Source.objects.create(event=None, url="https://analysis.example/link", publisher="Analyst")
    factories.reaction(warning, announcement, basis_source=own)
    assert found(quality.sources_without_date_or_publisher) == [("warning", "source-without-date", "warning")]
    own.published_on = D(2024, 3, 10)
    own.save()
    assert found(quality.sources_without_date_or_publisher) == []


def test_a_title_in_brackets_is_a_warning(pair):
    announcement, _ = pair
    announcement.sources.filter(pk=announcement.sources.first().pk).update(title="[TASS report, 8 March 2024]")
    assert found(quality.bracketed_source_titles) == [("warning", "bracketed-title", "announcement")]
    announcement.sources.update(title="[Updated] NATO to deploy Patriots")
    assert found(quality.bracketed_source_titles) == []


def test_a_reaction_dated_before_what_it_answers_is_an_error_at_the_precision_known(pair):
    announcement, warning = pair
    factories.reaction(warning, announcement)
    Event.objects.filter(pk=warning.pk).update(date=D(2024, 3, 1), date_precision=Event.Precision.MONTH)
    assert found(quality.reactions_before_what_they_answer) == []  # "March 2024" may be after the 7th
    Event.objects.filter(pk=warning.pk).update(date=D(2024, 3, 6), date_precision=Event.Precision.DAY)
    assert found(quality.reactions_before_what_they_answer) == [("error", "reaction-before-answered", "warning")]


def test_a_category_contradicted_by_the_sign_of_the_escalation_is_an_error(pair):
    announcement, warning = pair
    roadmap = factories.published_event(
        slug="roadmap", type="agreement", escalation=Decimal("3.0"), escalation_note="Raises tension."
    )
    Event.objects.filter(pk=warning.pk).update(escalation=Decimal("-1.0"), escalation_note="Conciliatory.")
    assert found(quality.category_against_escalation_sign) == [
        ("error", "category-against-sign", "roadmap"),
        ("error", "category-against-sign", "warning"),
    ]
    Event.objects.filter(pk=roadmap.pk).update(event_type=factories.event_type("defence-pledge"))
    Event.objects.filter(pk=warning.pk).update(escalation=Decimal("0.0"))
    assert found(quality.category_against_escalation_sign) == []


def test_a_disputed_event_without_a_note_is_a_warning(pair):
    announcement, _ = pair
    Event.objects.filter(pk=announcement.pk).update(verification=Event.Verification.DISPUTED)
    assert found(quality.verification_without_note) == [("warning", "disputed-without-note", "announcement")]
    Event.objects.filter(pk=announcement.pk).update(verification_note="Moscow denies it; no report confirms it.")
    assert found(quality.verification_without_note) == []


def test_the_command_fails_on_an_error_and_passes_with_warnings_only(pair, capsys):
    announcement, warning = pair
    link = factories.reaction(warning, announcement, basis_judgement="")
    with pytest.raises(CommandError, match=r"1 error\(s\), 0 warning\(s\), in 1 event\(s\)"):
        call_command("check_record", no_color=True)
    assert "ERROR   link-without-basis         warning: Its link to" in capsys.readouterr().out
    Reaction.objects.filter(pk=link.pk).update(basis_judgement="Read as an answer by the editors.")
    warning.sources.last().delete()
    call_command("check_record", no_color=True)
    out = capsys.readouterr().out
    assert "WARNING single-source" in out and "0 error(s), 1 warning(s)" in out


def test_drafts_are_checked_only_when_asked(pair):
    factories.event(slug="draft-without-source")
    call_command("check_record")
    with pytest.raises(CommandError, match="1 error"):
        call_command("check_record", "--all-statuses")


def test_each_rule_is_one_or_two_queries_whatever_the_number_of_events(pair, django_assert_max_num_queries):
    announcement, warning = pair
    for n in range(20):
        # A week apart, and after the pair's window: not likely duplicates of each other (events.duplicates).
        event = factories.published_event(slug=f"extra-{n}", date=D(2024, 3, 13) + datetime.timedelta(weeks=n))
        factories.reaction(event, warning, basis_judgement="")
    with django_assert_max_num_queries(2 * len(quality.RULES)):
        problems = list(quality.find_problems())
    rules = [p.rule for p in problems]
    assert {rule: rules.count(rule) for rule in rules} == {
        "link-without-basis": 20,
        "single-source": 20,
        "source-without-date": 20,
    }
