"""Likely duplicates (events/duplicates.py): the rule on pairs of the demo record, with the same verdicts
on PostgreSQL (pg_trgm) and SQLite (the same similarity in Python); the admin's form shows them before
the event is saved and saves it only with a reason, kept in the history; publishing without that reason
is refused; the CSV import warns of them; check_record lists the pairs nobody explained."""

from __future__ import annotations

import csv
import datetime
import io
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from editorial import importing
from events import duplicates, quality, services
from events.models import Actor, Event, EventActor, EventType, NotDuplicate, Source
from events.record import NAMES
from tests import factories

pytestmark = pytest.mark.django_db

ADD = reverse("admin:events_event_add")
D = datetime.date

# The record's Patriot announcement, and the same story as an editor types it again (issue 20).
SEED = "nato-patriot-lithuania-announcement"
RETOLD = "A European NATO ally will deploy Patriot air defence systems in Lithuania on rotation"

# Pairs of the demo record that the rule must match: a tit-for-tat on one day, with titles alike.
MUST_MATCH = [("estonia-expels-russian-ambassador", "russia-expels-estonian-ambassador")]
# Near pairs that it must not match, and what keeps each apart.
MUST_NOT_MATCH = [
    # Same type, same actors, titles alike (44%), but 23 days apart: two statements.
    ("zakharova-warns-german-brigade-escalation-dec-2023", "zakharova-warns-nato-buildup-lithuania-jan-2024"),
    # Same type, same actors, titles alike (63%), but 16 days apart: two summonses.
    ("estonia-summons-russian-envoy-gps-jamming", "estonia-summons-russian-charge-narva-buoys"),
    # Same day, same type, other actors, titles apart (28%): Estonia's protest and the EU's.
    ("estonia-summons-russian-charge-narva-buoys", "eu-condemns-narva-buoy-removal"),
    # Two days apart, titles just below the threshold (40% rounded, 0.396): the ban and Russia's answer.
    ("lithuania-restricts-kaliningrad-transit", "russia-demands-lifting-kaliningrad-ban"),
    # Same day, same type, other actors: Poland's deployment and Wagner's.
    ("poland-moves-units-east-wagner", "wagner-arrives-in-belarus"),
    # Same day, titles apart, other types: the incursion and Poland's answer.
    ("belarus-helicopters-violate-polish-airspace", "poland-reinforces-border-after-helicopter-incursion"),
]


def found_for(slug: str) -> set[str]:
    return {d.event.slug for d in duplicates.likely_duplicates_of(event=Event.objects.get(slug=slug))}


def type_id(slug: str) -> int:
    return EventType.objects.get(slug=slug).pk


def actors(*slugs: str, role: str = EventActor.Role.INITIATOR) -> duplicates.Actors:
    return frozenset((Actor.objects.get(slug=slug).pk, role) for slug in slugs)


def retold(**entered) -> list[str]:
    """The slugs of the likely duplicates of the Patriot story entered again on 7 March 2024."""
    values = {"title": RETOLD, "date": D(2024, 3, 7), "event_type_id": None, "actors": frozenset()}
    values.update(entered)
    return [d.event.slug for d in duplicates.likely_duplicates(**values)]


# --- the rule, on titles alone ---


def test_titles_are_compared_as_pg_trgm_compares_them():
    assert duplicates.trigrams("Wagner, Belarus") == {
        *("  w", " wa", "wag", "agn", "gne", "ner", "er "),
        *("  b", " be", "bel", "ela", "lar", "aru", "rus", "us "),
    }
    assert duplicates.title_similarity("Zapad-2021", "zapad 2021") == 1.0, "case and punctuation do not count"
    assert duplicates.title_similarity("Kuźnica", "Kuznica") < 1.0, "a letter with a diacritic is its own letter"
    assert duplicates.title_similarity("", "Anything") == 0.0


def test_the_operators_percent_threshold_lets_every_pair_of_ours_through(postgres_only):
    """The trigram index is searched with `%`, whose own threshold must not be above ours."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        assert float(cursor.fetchone()[0]) <= duplicates.TITLE_SIMILARITY


def test_a_retracted_event_is_no_ones_duplicate():
    first = factories.published_event(title="Russian drone crashes in eastern Latvia", date=D(2024, 9, 7))
    found = duplicates.likely_duplicates(
        title="Russian drone crashes in Latvia", date=D(2024, 9, 8), event_type_id=None, actors=frozenset()
    )
    assert [d.event for d in found] == [first]
    Event.objects.filter(pk=first.pk).update(status=Event.Status.RETRACTED, retraction_note="Wrong country.")
    assert (
        duplicates.likely_duplicates(
            title="Russian drone crashes in Latvia", date=D(2024, 9, 8), event_type_id=None, actors=frozenset()
        )
        == []
    )


# --- the rule, on pairs of the demo record (on each database the suite runs on) ---


@pytest.mark.parametrize(("first", "second"), MUST_MATCH)
def test_the_demo_pairs_that_must_match_do(demo, first, second):
    assert second in found_for(first) and first in found_for(second)


@pytest.mark.parametrize(("first", "second"), MUST_NOT_MATCH)
def test_the_demo_near_pairs_that_must_not_match_do_not(demo, first, second):
    assert second not in found_for(first) and first not in found_for(second)


def test_the_patriot_story_entered_again_is_found_by_its_title_or_by_its_type_and_actors(demo):
    assert retold() == [SEED], "by its title alone (68% of trigrams shared), the day it happened"
    assert retold(date=D(2024, 3, 10)) == [SEED], "three days later"
    assert retold(date=D(2024, 3, 11)) == [], "not four"
    terse = "Patriot air defence to be deployed in Lithuania on rotation"  # 38%: not by its title
    assert retold(title=terse) == []
    assert retold(title=terse, event_type_id=type_id("defence-pledge"), actors=actors("lithuania", "nato")) == [SEED]
    assert retold(title=terse, event_type_id=type_id("defence-pledge"), actors=actors("lithuania")) == [], (
        "the same actors, not some of them"
    )


def test_both_databases_give_pg_trgms_figures_and_the_pass_over_the_record_the_same_pairs(demo):
    """One event's likely duplicates (pg_trgm on PostgreSQL) and the pass of check_record (Python) agree."""
    events = Event.objects.all()
    by_event = {
        frozenset((event.slug, d.event.slug))
        for event in events
        for d in duplicates.likely_duplicates_of(event=event)
        if not d.marked
    }
    by_pass = {frozenset((p.first["slug"], p.second["slug"])) for p in duplicates.likely_pairs(events=events)}
    assert by_event == by_pass == set(), "the demo record's one pair is marked"
    NotDuplicate.objects.all().delete()
    by_pass = {frozenset((p.first["slug"], p.second["slug"])) for p in duplicates.likely_pairs(events=events)}
    assert by_pass == {frozenset(pair) for pair in MUST_MATCH}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.title, b.title, similarity(a.title, b.title) FROM events_event a "
                "JOIN events_event b ON a.id < b.id"
            )
            rows = cursor.fetchall()
        assert len(rows) == len(list(itertools.combinations(events, 2)))
        assert max(abs(duplicates.title_similarity(a, b) - pg) for a, b, pg in rows) < 1e-6


# --- check_record ---


def test_the_demo_record_leaves_no_likely_duplicate_unexplained(demo, capsys):
    mark = NotDuplicate.objects.get()
    assert (mark.event.slug, mark.other.slug) == MUST_MATCH[0]
    assert "one each way" in mark.reason
    call_command("check_record", no_color=True)
    assert "likely-duplicate" not in capsys.readouterr().out
    mark.delete()
    problems = [p for p in quality.find_problems(rules=[quality.likely_duplicates])]
    assert [(p.severity, p.event_slug) for p in problems] == [(quality.WARNING, MUST_MATCH[0][1])]
    assert "a similar title (45% of its trigrams shared)" in problems[0].message


def test_check_record_lists_pairs_by_type_and_actors_among_published_events_only():
    def published(title: str, day: int) -> Event:
        return factories.published_event(
            title=title, date=D(2024, 3, day), type="defence-pledge", initiator="Lithuania", target="Russia"
        )

    first, second = published("Lithuania pledges air defence", 7), published("Vilnius promises Patriots", 9)
    published("Seimas approves the budget", 13)  # four days on: out of the window
    draft = factories.event(title="Vilnius promises Patriots again", date=D(2024, 3, 8))
    problems = list(quality.likely_duplicates(Event.objects.published()))
    assert [(p.event_slug, p.rule) for p in problems] == [(second.slug, "likely-duplicate")]
    assert f"({first.slug}, 2024-03-07): the same type and actors" in problems[0].message
    assert draft.slug not in {p.event_slug for p in quality.likely_duplicates(Event.objects.published())}


# --- the admin's form ---


@pytest.fixture
def editor(client):
    client.force_login(factories.staff_user("edna", "Editor"))
    return client


def story(**overrides) -> dict:
    """The Patriot story on the add form: its type, Lithuania and NATO as initiators, and a source."""
    data = factories.admin_event_form(
        title=RETOLD,
        date="2024-03-07",
        summary="Lithuania's defence minister said a European NATO ally would deploy Patriots on rotation.",
        event_type=str(type_id("defence-pledge")),
    )
    for slug in ("lithuania", "nato"):
        factories.add_inline(data, "event_actors", actor=Actor.objects.get(slug=slug).pk, role="initiator")
    factories.add_inline(data, "sources", url="https://www.lrt.lt/en/patriots", publisher="LRT", kind="news")
    data.update(overrides)
    return data


def test_the_form_shows_the_likely_duplicate_before_saving_and_saves_with_a_reason_in_the_history(demo, editor):
    seed = Event.objects.get(slug=SEED)
    page = editor.post(ADD, story())
    assert page.status_code == 200 and not Event.objects.filter(title=RETOLD).exists(), "not saved"
    html = page.content.decode()
    assert 'id="likely-duplicates"' in html
    assert f'href="{reverse("admin:events_event_change", args=[seed.pk])}"' in html
    assert "similar title (68% of its trigrams shared) and the same type and actors" in html
    assert "this event looks like a duplicate of the events listed above" in html

    page = editor.post(ADD, story(not_a_duplicate="on", not_duplicate_reason="  "))
    assert "Say why it is not a duplicate" in page.content.decode() and page.status_code == 200

    reason = "Testing the form: the same story, kept apart on purpose."
    assert editor.post(ADD, story(not_a_duplicate="on", not_duplicate_reason=reason)).status_code == 302
    event = Event.objects.get(title=RETOLD)
    mark = NotDuplicate.objects.get(event=event)
    assert (mark.other, mark.reason) == (seed, reason)
    assert mark.history.get().history_user.username == "edna"
    assert event.history.get().history_change_reason == f"Not a duplicate: {reason}"[:100]
    assert duplicates.likely_duplicates_of(event=event)[0].marked == reason
    page = editor.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert f"Marked not a duplicate: {reason}" in page and 'name="not_a_duplicate"' not in page


def test_the_form_finds_a_duplicate_by_the_actors_entered_on_the_same_page(demo, editor):
    terse = "Patriot air defence to be deployed in Lithuania on rotation"
    page = editor.post(ADD, story(title=terse))
    assert page.status_code == 200 and "the same type and actors." in page.content.decode()
    data = story(title=terse)
    data["event_actors-1-DELETE"] = "on"  # NATO struck out: the actors are no longer the same
    assert editor.post(ADD, data).status_code == 302


# --- publishing ---


def test_publishing_a_likely_duplicate_is_refused_until_it_is_marked(demo, client):
    publisher = factories.staff_user("pia", "Publisher")
    draft = factories.event(title=RETOLD, date=D(2024, 3, 7), type="defence-pledge")
    EventActor.objects.create(event=draft, actor=Actor.objects.get(slug="lithuania"), role="initiator")
    Source.objects.create(event=draft, url="https://www.lrt.lt/en/patriots", publisher="LRT")
    with pytest.raises(ValidationError, match="It looks like a duplicate of “Lithuania announces NATO rotational"):
        services.publish_event(event=draft, user=publisher)

    client.force_login(publisher)
    form = client.get(reverse("admin:events_event_change", args=[draft.pk])).content.decode()
    assert 'id="likely-duplicates"' in form and 'name="_publish"' in form, "the publisher sees the hint"
    changelist = reverse("admin:events_event_changelist")
    page = client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert f"“{RETOLD}” not published: It looks like a duplicate of" in page.content.decode()

    duplicates.mark_not_duplicates(event=draft, others=[Event.objects.get(slug=SEED)], reason="Kept apart: a test.")
    services.publish_event(event=draft, user=publisher)
    assert Event.objects.get(pk=draft.pk).status == Event.Status.PUBLISHED


# --- the CSV import ---


def csv_file(*rows: dict) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=NAMES)
    writer.writeheader()
    for values in rows:
        writer.writerow({name: "" for name in NAMES} | values)
    return io.BytesIO(out.getvalue().encode())


def import_row(**values) -> dict:
    return {
        "slug": "patriots-again",
        "date": "2024-03-07",
        "date_precision": "day",
        "title": RETOLD,
        "summary": "Patriots on rotation.",
        "event_type": "defence-pledge",
        "initiators": "lithuania; nato",
        "source_urls": "https://www.lrt.lt/en/patriots",
        **values,
    }


def test_the_import_warns_of_likely_duplicates_row_by_row_and_imports_the_rows(demo):
    seed = Event.objects.get(slug=SEED)
    again = import_row(slug="patriots-once-more", title=seed.title.upper(), initiators="nato")
    apart = import_row(slug="patriots-in-june", date="2024-06-07")
    report = importing.import_events(file=csv_file(import_row(), again, apart))
    assert report.ok and report.written and report.created == 3, "warnings do not stop an import"
    assert [(w.line, w.slug, w.column) for w in report.warnings] == [
        (2, "patriots-again", "title"),
        (3, "patriots-once-more", "title"),
    ]
    assert f"“{seed.title}” (7 March 2024, published: a similar title" in report.warnings[0].message
    assert f"({SEED}): see to it before publishing" in report.warnings[0].message
    assert "(100% of its trigrams shared)" in report.warnings[1].message, "even its very title: a warning"
    assert "2 likely duplicate(s) to see to before publishing" in report.summary
    with pytest.raises(ValidationError, match="It looks like a duplicate of"):
        services.publish_event(event=Event.objects.get(slug="patriots-again"))
