"""load_demo reads each link's basis and a verification note, and makes the database match the file."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from events.models import Event, EventActor, Reaction, Source

pytestmark = pytest.mark.django_db

ANNOUNCEMENT_SOURCE = "https://news.example/patriot"


def source(url: str, **kw) -> dict:
    return {"url": url, "publisher": "Example News", "title": "A report", "published_on": "2024-03-07", **kw}


RECORD = {
    "actors": [
        {"slug": "nato", "name": "NATO", "kind": "alliance", "country": None},
        {"slug": "lithuania", "name": "Lithuania", "kind": "state", "country": "LT"},
        {"slug": "russia", "name": "Russia", "kind": "state", "country": "RU"},
    ],
    "events": [
        {
            "slug": "announcement",
            "title": "NATO to deploy Patriot systems in Lithuania",
            "date": "2024-03-07",
            "summary": "Announced at a press conference.",
            "type": "defence-pledge",
            "verification": "confirmed",
            "verification_note": "Reported by Reuters and UNN on the day.",
            "country": "LT",
            "initiators": ["nato", "lithuania"],
            "sources": [source(ANNOUNCEMENT_SOURCE), source("https://other.example/patriot")],
        },
        {
            "slug": "warning",
            "title": "Russia warns against foreign forces in Lithuania",
            "date": "2024-03-08",
            "summary": "A warning.",
            "type": "official-warning",
            "verification": "disputed",
            "verification_note": "No Russian statement of March 2024 was found.",
            "initiators": ["russia"],
            "sources": [source("https://news.example/warning")],
            "responds_to": [
                {"event": "announcement", "kind": "response", "note": "", "basis_source": ANNOUNCEMENT_SOURCE}
            ],
        },
    ],
}


def load(tmp_path, record: dict, *args: str) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    call_command("load_demo", "--file", str(path), *args, verbosity=0)


def link() -> Reaction:
    return Reaction.objects.select_related("basis_source").get(event__slug="warning")


def test_a_basis_source_named_by_url_is_the_answered_events_source(tmp_path):
    load(tmp_path, RECORD)
    assert link().basis_source == Source.objects.get(event__slug="announcement", url=ANNOUNCEMENT_SOURCE)
    assert link().basis_judgement == ""
    assert Event.objects.get(slug="warning").verification_note == "No Russian statement of March 2024 was found."


def test_a_basis_given_as_an_object_is_a_source_of_the_links_own(tmp_path):
    record = copy.deepcopy(RECORD)
    record["events"][1]["responds_to"][0]["basis_source"] = source("https://analysis.example/link", kind="research")
    load(tmp_path, record)
    own = link().basis_source
    assert (own.event, own.url, own.kind) == (None, "https://analysis.example/link", "research")
    assert Event.objects.get(slug="warning").sources.count() == 1  # not one of the event's sources


def test_a_judgement_basis_and_loading_twice_changes_nothing(tmp_path, capsys):
    record = copy.deepcopy(RECORD)
    del record["events"][1]["responds_to"][0]["basis_source"]
    record["events"][1]["responds_to"][0]["basis_judgement"] = "Same subject, next day."
    load(tmp_path, record)
    assert (link().basis_source, link().basis_judgement) == (None, "Same subject, next day.")
    load(tmp_path, record, "--verbosity", "1")
    assert "nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "basis, error",
    [
        ({"basis_source": ANNOUNCEMENT_SOURCE, "basis_judgement": "Also this."}, "both a basis_source and"),
        ({"basis_source": "https://elsewhere.example/x"}, "is not a source of either event"),
    ],
)
def test_a_malformed_basis_is_refused_and_nothing_is_written(tmp_path, basis, error):
    record = copy.deepcopy(RECORD)
    record["events"][1]["responds_to"][0] = {"event": "announcement", "kind": "response", **basis}
    with pytest.raises(CommandError, match=error):
        load(tmp_path, record)
    assert not Event.objects.exists()


def test_a_corrected_file_removes_the_links_sources_and_actors_it_no_longer_holds(tmp_path, capsys):
    load(tmp_path, RECORD)
    corrected = copy.deepcopy(RECORD)
    corrected["events"][1]["responds_to"] = []
    corrected["events"][0]["initiators"] = ["nato"]
    corrected["events"][0]["sources"] = corrected["events"][0]["sources"][1:]
    load(tmp_path, corrected, "--verbosity", "1")
    assert "1 reactions removed" in capsys.readouterr().out
    assert not Reaction.objects.exists()
    assert [s.url for s in Source.objects.filter(event__slug="announcement")] == ["https://other.example/patriot"]
    assert [link.actor.slug for link in EventActor.objects.filter(event__slug="announcement")] == ["nato"]


def test_a_links_own_source_without_a_publisher_is_refused_with_a_clear_message(tmp_path):
    record = copy.deepcopy(RECORD)
    record["events"][1]["responds_to"][0]["basis_source"] = {"url": "https://analysis.example/link"}
    with pytest.raises(CommandError, match="Source .* is invalid: publisher: This field cannot be blank"):
        load(tmp_path, record)
