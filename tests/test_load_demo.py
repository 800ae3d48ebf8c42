"""The demo record: the seed article at its centre, real sourced events around it, loaded idempotently."""

import json

import pytest
from django.core.management import call_command
from django.core.validators import URLValidator

from events.demo import DEMO_FILE
from events.models import Actor, Country, Event, EventActor, Reaction, Region, Source

pytestmark = pytest.mark.django_db

SEED = "nato-patriot-lithuania-announcement"
WARNING = "russia-warns-against-foreign-forces-lithuania"


def snapshot() -> list:
    rows = []
    for model in (Country, Region, Actor, Event, EventActor, Source, Reaction):
        rows.extend(sorted(map(repr, model.objects.values())))
    rows.extend(sorted(map(repr, Region.countries.through.objects.values())))
    return rows


def test_loading_twice_changes_nothing(demo, capsys):
    before = snapshot()
    call_command("load_demo")
    assert "nothing changed" in capsys.readouterr().out
    assert snapshot() == before


def test_if_empty_leaves_a_database_with_events_alone(demo, capsys):
    Event.objects.filter(slug=SEED).update(title="Edited by an editor")
    call_command("load_demo", "--if-empty")
    assert "not loaded" in capsys.readouterr().out
    assert Event.objects.get(slug=SEED).title == "Edited by an editor"


def test_the_seed_article_is_at_the_centre(demo):
    """As the sources support it (issues #10, #22): the announcement of Thursday 7 March 2024, confirmed; the
    seed's March warning kept, disputed, answering nothing, and retracted as a duplicate of Zakharova's
    January warning (tests/test_demo_record_truth.py has more)."""
    announcement = Event.objects.get(slug=SEED)
    warning = Event.objects.get(slug=WARNING)
    assert (announcement.date.isoformat(), warning.date.isoformat()) == ("2024-03-07", "2024-03-08")
    assert announcement.event_type.slug == "defence-pledge"
    assert warning.event_type.slug == "official-warning"
    assert not warning.responds_to.exists()
    assert [a.slug for a in announcement.initiators] == ["lithuania", "nato"]
    assert "Anusauskas" in announcement.summary
    assert announcement.verification == Event.Verification.CONFIRMED
    assert warning.verification == Event.Verification.DISPUTED
    assert warning.status == Event.Status.RETRACTED


def test_the_record_is_rich_and_every_event_is_sourced_and_publishable(demo):
    events = Event.objects.all()
    assert events.count() >= 42
    assert set(events.values_list("status", flat=True)) == {Event.Status.PUBLISHED, Event.Status.RETRACTED}
    assert list(events.filter(status=Event.Status.RETRACTED).values_list("slug", flat=True)) == [WARNING]
    for event in events:
        assert event.publish_problems() == [], event.slug
        assert event.date.year in range(2021, 2025), event.slug
        if event.slug not in (SEED, WARNING):
            assert event.sources.exclude(url="").exists(), f"{event.slug} has no source with a URL"
    assert set(events.values_list("location_country__iso2", flat=True)) >= {"LT", "LV", "EE", "PL", "RU", "BY"}


def test_the_record_holds_reaction_chains(demo):
    assert Reaction.objects.count() >= 5
    # At least one chain of three: action → reaction → counter-reaction.
    middle = Reaction.objects.filter(responds_to__in=Reaction.objects.values("event"))
    assert middle.exists()


def test_every_source_url_in_the_demo_file_is_a_valid_web_address():
    validate = URLValidator(schemes=["http", "https"])
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for event in data["events"]:
        for source in event["sources"]:
            if source["url"]:
                validate(source["url"])


def test_demo_users_only_when_asked(demo, settings):
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()
    settings.DEBUG = True
    call_command("load_demo", "--with-users", verbosity=0)
    assert get_user_model().objects.get(username="admin").is_superuser
