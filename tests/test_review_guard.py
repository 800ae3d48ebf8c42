"""No admin URL, action or POST lets an editor change what readers see of a published or retracted event.

Each attack is posted as an Editor against a published and a retracted event; the public event page,
the CSV export and the database must be exactly as before. History pages refuse every POST, for
publishers too. CI runs this module on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from events.models import Actor, Country, Event, EventActor, EventType, Reaction, Region, Source
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC_STATUSES = [Event.Status.PUBLISHED, Event.Status.RETRACTED]


@dataclass
class Record:
    public: Event  # the published or retracted event under attack
    other: Event  # another published event, earlier, that `public` responds to
    draft: Event
    source: Source  # of `public`
    link: Reaction  # public → other
    draft_source: Source


def make_record(status: str) -> Record:
    lt = factories.country("LT")
    Region.objects.create(name="Baltic states", slug="baltic-states").countries.set([lt])
    other = factories.published_event(slug="other", title="Earlier event", date=datetime.date(2024, 3, 1))
    public = factories.published_event(
        slug="public", title="As published", location_country=lt, initiator="Russia", target="NATO"
    )
    link = factories.reaction(public, other)
    if status == Event.Status.RETRACTED:
        public.status, public.retraction_note = Event.Status.RETRACTED, "The report was withdrawn."
        public.save()
    draft = factories.event(slug="draft", title="A draft", date=datetime.date(2024, 3, 20))
    draft_source = Source.objects.create(event=draft, url="https://news.example/d", publisher="D", title="D")
    return Record(public, other, draft, public.sources.get(), link, draft_source)


def what_readers_see(record: Record) -> tuple:
    reader = Client()
    page = reader.get(record.public.get_absolute_url())
    other_page = reader.get(record.other.get_absolute_url())
    export = reader.get(reverse("events:export") + "?include_retracted=on")
    assert page.status_code == other_page.status_code == export.status_code == 200
    return page.content, other_page.content, b"".join(export.streaming_content)


def database(record: Record) -> tuple:
    ids = [record.public.pk, record.other.pk]
    return (
        list(Event.objects.filter(pk__in=ids).order_by("pk").values()),
        list(Source.objects.filter(event_id__in=ids).order_by("pk").values()),
        list(Reaction.objects.filter(Q(event_id__in=ids) | Q(responds_to_id__in=ids)).order_by("pk").values()),
        list(EventActor.objects.filter(event_id__in=ids).order_by("pk").values()),
        list(Actor.objects.order_by("pk").values()),
        list(EventType.objects.order_by("pk").values()),
        list(Country.objects.order_by("pk").values()),
        list(Region.objects.order_by("pk").values()),
        list(Region.countries.through.objects.order_by("pk").values()),
    )


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:events_{name}", args=args)


def source_form(source: Source, **overrides) -> dict:
    data = {
        "event": str(source.event_id),
        "url": source.url,
        "kind": source.kind,
        "publisher": source.publisher,
        "title": source.title,
        "published_on": "",
        "excerpt": source.excerpt,
    }
    return data | overrides


def reaction_form(link: Reaction, **overrides) -> dict:
    return {
        "event": str(link.event_id),
        "responds_to": str(link.responds_to_id),
        "kind": link.kind,
        "note": "",
    } | overrides


def actor_form(actor: Actor, **overrides) -> dict:
    return {"name": actor.name, "slug": actor.slug, "kind": actor.kind, "country": "", "aliases": ""} | overrides


def import_over(client: Client, record: Record):
    """Upload a CSV row that changes the public event, then confirm the import."""
    row = f"public,2024-03-08,Quietly changed,Another summary.,{record.public.event_type.slug}\n"
    upload = SimpleUploadedFile("x.csv", ("slug,date,title,summary,event_type\n" + row).encode(), "text/csv")
    client.post(admin_url("event_import"), {"csv_file": upload, "_preview": "1"})
    return client.post(admin_url("event_import"), {"_import": "1"})


def delete_selected(client: Client, model: str, pk: int):
    """The list's "delete selected" action, confirmed."""
    data = {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
    return client.post(admin_url(f"{model}_changelist"), data)


# Each attack: (its name, a function that posts it as the editor and returns the response).
ATTACKS: dict[str, Callable[[Client, Record], object]] = {
    "event form: change the title": lambda c, r: c.post(
        admin_url("event_change", r.public.pk), factories.admin_event_form(r.public, title="Quietly changed")
    ),
    "event form: add a source inline": lambda c, r: c.post(
        admin_url("event_change", r.public.pk),
        factories.add_inline(
            factories.admin_event_form(r.public), "sources", url="https://x.example/", kind="news", publisher="X"
        ),
    ),
    "event form: submit for review": lambda c, r: c.post(
        admin_url("event_change", r.public.pk), factories.admin_event_form(r.public, _submit_review="1")
    ),
    "source: change": lambda c, r: c.post(
        admin_url("source_change", r.source.pk), source_form(r.source, title="Another title")
    ),
    "source: add to the public event": lambda c, r: c.post(
        admin_url("source_add"), source_form(r.source, url="https://evil.example/", title="Planted")
    ),
    "source: move a draft's source onto the public event": lambda c, r: c.post(
        admin_url("source_change", r.draft_source.pk), source_form(r.draft_source, event=str(r.public.pk))
    ),
    "source: move the public event's source to a draft": lambda c, r: c.post(
        admin_url("source_change", r.source.pk), source_form(r.source, event=str(r.draft.pk))
    ),
    "source: delete": lambda c, r: c.post(admin_url("source_delete", r.source.pk), {"post": "yes"}),
    "source: delete selected from the list": lambda c, r: delete_selected(c, "source", r.source.pk),
    "reaction: change the kind": lambda c, r: c.post(
        admin_url("reaction_change", r.link.pk), reaction_form(r.link, kind="denial")
    ),
    "reaction: repoint it at a draft": lambda c, r: c.post(
        admin_url("reaction_change", r.link.pk), reaction_form(r.link, event=str(r.draft.pk))
    ),
    "reaction: delete": lambda c, r: c.post(admin_url("reaction_delete", r.link.pk), {"post": "yes"}),
    "reaction: delete selected from the list": lambda c, r: delete_selected(c, "reaction", r.link.pk),
    "reaction: add one from the public event": lambda c, r: c.post(
        admin_url("reaction_add"),
        {"event": str(r.public.pk), "responds_to": str(r.draft.pk), "kind": "response", "note": ""},
    ),
    "reaction: add one from the other public event to the public one": lambda c, r: c.post(
        admin_url("reaction_add"),
        {"event": str(r.public.pk), "responds_to": str(r.other.pk), "kind": "support", "note": ""},
    ),
    "history: post the event's past version": lambda c, r: c.post(
        admin_url("event_simple_history", r.public.pk, r.public.history.last().history_id),
        factories.admin_event_form(r.public, title="Reverted"),
    ),
    "history: post the source's past version": lambda c, r: c.post(
        admin_url("source_simple_history", r.source.pk, r.source.history.last().history_id),
        source_form(r.source, title="Reverted"),
    ),
    "history: post the link's past version": lambda c, r: c.post(
        admin_url("reaction_simple_history", r.link.pk, r.link.history.last().history_id),
        reaction_form(r.link, kind="denial"),
    ),
    "list action: send to review": lambda c, r: c.post(
        admin_url("event_changelist"), {"action": "send_to_review", "_selected_action": [r.public.pk]}
    ),
    "list action: publish": lambda c, r: c.post(
        admin_url("event_changelist"), {"action": "publish", "_selected_action": [r.public.pk]}
    ),
    "list action: retract": lambda c, r: c.post(
        admin_url("event_changelist"),
        {"action": "retract", "_selected_action": [r.public.pk], "confirm": "1", "retraction_note": "Gone."},
    ),
    "CSV import of a row that changes it": import_over,
    "retract page": lambda c, r: c.post(admin_url("event_retract", r.public.pk), {"retraction_note": "Gone."}),
    "actor: rename": lambda c, r: c.post(
        admin_url("actor_change", Actor.objects.get(slug="russia").pk),
        actor_form(Actor.objects.get(slug="russia"), name="Renamed"),
    ),
    "actor: add": lambda c, r: c.post(admin_url("actor_add"), actor_form(Actor(name="New", slug="new-actor"))),
    "event type: change its default escalation": lambda c, r: c.post(
        admin_url("eventtype_change", r.public.event_type_id),
        {"name": "Renamed type", "slug": r.public.event_type.slug, "category": "warning", "default_escalation": "1"},
    ),
    "country: rename": lambda c, r: c.post(
        admin_url("country_change", r.public.location_country_id), {"iso2": "LT", "name": "Renamed", "slug": "lt"}
    ),
    "region: rename": lambda c, r: c.post(
        admin_url("region_change", Region.objects.get().pk),
        {"name": "Renamed", "slug": "baltic-states", "countries": [r.public.location_country_id], "description": ""},
    ),
}


@pytest.mark.parametrize("status", PUBLIC_STATUSES)
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_editor_changes_nothing_readers_see(client, status, attack):
    record = make_record(status)
    client.force_login(factories.staff_user("ed", "Editor"))
    seen, stored = what_readers_see(record), database(record)

    response = ATTACKS[attack](client, record)

    assert response.status_code in (200, 302, 403), response.status_code
    assert database(record) == stored
    assert what_readers_see(record) == seen


@pytest.mark.parametrize("status", PUBLIC_STATUSES)
@pytest.mark.parametrize("role", ["Editor", "Publisher"])
def test_history_pages_refuse_every_post_and_still_show(client, status, role):
    record = make_record(status)
    client.force_login(factories.staff_user("someone", role))
    first = record.public.history.last()  # the published version, before any retraction
    url = admin_url("event_simple_history", record.public.pk, first.history_id)
    stored = database(record)

    assert client.post(url, factories.admin_event_form(record.public, title="Reverted")).status_code == 403
    assert database(record) == stored
    assert client.get(url).status_code == 200


def test_an_editor_still_edits_the_parts_of_a_draft(client):
    record = make_record(Event.Status.PUBLISHED)
    client.force_login(factories.staff_user("ed", "Editor"))

    response = client.post(
        admin_url("source_change", record.draft_source.pk), source_form(record.draft_source, title="Better")
    )
    assert response.status_code == 302
    assert Source.objects.get(pk=record.draft_source.pk).title == "Better"
    # A draft may respond to a published event: readers see the link once a publisher publishes the draft.
    seen = what_readers_see(record)
    response = client.post(
        admin_url("reaction_add"),
        {"event": str(record.draft.pk), "responds_to": str(record.public.pk), "kind": "response"},
    )
    assert response.status_code == 302
    assert Reaction.objects.filter(event=record.draft, responds_to=record.public).exists()
    assert what_readers_see(record) == seen
    client.post(admin_url("source_delete", record.draft_source.pk), {"post": "yes"})
    assert not Source.objects.filter(pk=record.draft_source.pk).exists()


def test_a_publisher_may_change_the_parts_and_the_vocabulary(client):
    record = make_record(Event.Status.PUBLISHED)
    client.force_login(factories.staff_user("pia", "Publisher"))
    client.post(admin_url("source_change", record.source.pk), source_form(record.source, title="Corrected"))
    russia = Actor.objects.get(slug="russia")
    client.post(admin_url("actor_change", russia.pk), actor_form(russia, name="Russian Federation"))
    assert Source.objects.get(pk=record.source.pk).title == "Corrected"
    assert Actor.objects.get(pk=russia.pk).name == "Russian Federation"


def test_a_refused_source_says_why(client):
    record = make_record(Event.Status.PUBLISHED)
    client.force_login(factories.staff_user("ed", "Editor"))
    response = client.post(admin_url("source_add"), source_form(record.source, url="https://evil.example/"))
    assert response.status_code == 200
    assert "only a publisher changes what readers see" in response.content.decode()
