"""The COPY path's joined lists (events/db/export_lists.py) stay what a full rebuild gives after every kind
of write: a linked row added, changed, moved or deleted, a value renamed where it is read through, the
event reacted to unpublished, an event deleted, a table emptied, bulk writes, and two writers at once.
PostgreSQL only (SQLite exports by the Python path, which reads the linked rows itself; the command
says so there). That the triggers are the ones the record gives, installed by a migration:
tests/test_triggers_declared.py."""

from __future__ import annotations

import datetime
import io
import threading

import pgtrigger
import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from events.db import export_lists
from events.db.data_version import BUMP
from events.db.export_lists import EXPORT_LISTS_TABLE
from events.models import Actor, Event, EventActor, ExportLists, Reaction, Source
from events.record import LISTS
from events.taxonomy import ensure_event_types
from tests import factories

D = datetime.date
COLUMNS = ["event_id", *(f.name for f in LISTS)]


def stored() -> dict[int, dict[str, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {EXPORT_LISTS_TABLE}")
        return {row[0]: dict(zip(COLUMNS[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def assert_current() -> dict[int, dict[str, str | None]]:
    """The rows the triggers kept equal the rows a rebuild computes from scratch."""
    kept = stored()
    export_lists.rebuild()
    assert kept == stored()
    return kept


def lists_of(event: Event) -> dict[str, str | None]:
    return assert_current().get(event.pk, dict.fromkeys(COLUMNS[1:]))


@pytest.fixture
def pair(postgres_only):
    earlier = factories.published_event(slug="earlier", date=D(2024, 3, 1), initiator="NATO")
    later = factories.published_event(slug="later", date=D(2024, 3, 2), initiator="Russia", target="NATO")
    factories.reaction(later, earlier)
    return earlier, later


def test_each_event_gets_its_lists_as_the_export_joins_them(pair):
    earlier, later = pair
    assert lists_of(later) == {
        "initiators": "russia",
        "targets": "nato",
        "responds_to": "earlier",
        "source_urls": "https://news.example/later",
    }
    assert lists_of(earlier)["responds_to"] is None


def test_a_linked_row_added_changed_moved_or_deleted_changes_its_events_lists(pair):
    earlier, later = pair
    link = EventActor.objects.create(event=later, actor=factories.actor("Lithuania"), role=EventActor.Role.INITIATOR)
    assert lists_of(later)["initiators"] == "lithuania; russia"
    link.role = EventActor.Role.TARGET
    link.save()
    assert (lists_of(later)["initiators"], lists_of(later)["targets"]) == ("russia", "lithuania; nato")
    link.event = earlier
    link.save()
    assert lists_of(later)["targets"] == "nato"
    assert lists_of(earlier)["targets"] == "lithuania"
    link.delete()
    assert lists_of(earlier)["targets"] is None
    source = Source.objects.create(event=later, url="https://b.example/", publisher="B")
    assert lists_of(later)["source_urls"].endswith("; https://b.example/")
    Source.objects.filter(pk=source.pk).update(url="")
    assert "b.example" not in lists_of(later)["source_urls"]


def test_a_rename_where_values_are_read_through_changes_every_linked_events_lists(pair):
    earlier, later = pair
    Actor.objects.filter(slug="nato").update(slug="north-atlantic")
    assert lists_of(earlier)["initiators"] == "north-atlantic"
    assert lists_of(later)["targets"] == "north-atlantic"
    earlier.slug = "first-announcement"
    earlier.save()
    assert lists_of(later)["responds_to"] == "first-announcement"


def test_the_event_reacted_to_leaves_the_list_when_it_is_no_longer_public(pair):
    earlier, later = pair
    Event.objects.filter(pk=earlier.pk).update(status=Event.Status.RETRACTED, retraction_note="Misdated.")
    assert lists_of(later)["responds_to"] == "earlier", "a retraction stays on the public record"
    Event.objects.filter(pk=earlier.pk).update(status=Event.Status.DRAFT, retraction_note="")
    assert lists_of(later)["responds_to"] is None


def test_deleting_events_deletes_their_rows_and_the_links_to_them(pair):
    earlier, later = pair
    earlier.delete()
    assert earlier.pk not in stored()
    assert lists_of(later)["responds_to"] is None
    Event.objects.all().delete()
    assert stored() == {}


def test_bulk_writes_in_one_statement_keep_every_event_current(postgres_only):
    nato = factories.actor("NATO")
    kind = factories.event_type()
    events = Event.objects.bulk_create(
        Event(
            slug=f"bulk-{n}",
            title=f"Bulk {n}",
            summary="Bulk.",
            date=D(2024, 1, 1),
            event_type=kind,
            escalation=kind.default_escalation,
        )
        for n in range(50)
    )
    EventActor.objects.bulk_create(EventActor(event=e, actor=nato, role=EventActor.Role.INITIATOR) for e in events)
    Reaction.objects.bulk_create(
        Reaction(event=e, responds_to=events[0], basis_judgement="Bulk.") for e in events[1:] if e.pk % 2
    )
    kept = assert_current()
    assert all(kept[e.pk]["initiators"] == "nato" for e in events)
    EventActor.objects.filter(event__in=events[:10]).delete()
    assert_current()


def test_emptying_the_tables_empties_the_lists(pair):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred check
        cursor.execute("TRUNCATE events_eventactor")
    assert {row["initiators"] for row in assert_current().values()} == {None}
    call_command("flush", "--noinput", verbosity=0)
    assert stored() == {}


def test_the_table_has_one_column_per_list_field_of_the_record():
    assert [field.column for field in ExportLists._meta.fields] == COLUMNS


def test_emptying_the_lists_table_refills_it_as_a_migration_rebuilds_it(pair):
    kept = stored()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {EXPORT_LISTS_TABLE}")
    assert stored() == kept and lists_of(pair[1])["initiators"] == "russia", "filled again"


@pytest.fixture
def writers_not_serialised_by_the_data_version(transactional_db, postgres_only):
    """The data version's trigger (one row every write updates) happens to make writers wait for each
    other; with it off, only the lists' own turn-taking stands between two writers. (The flush after a
    transactional test empties the taxonomy that migration 0002 loaded: put it back.)"""
    ensure_event_types()
    data_version = BUMP.get_uri(EventActor)
    pgtrigger.disable(data_version)
    yield
    pgtrigger.enable(data_version)


def test_two_writers_adding_links_to_one_event_at_once_both_appear(writers_not_serialised_by_the_data_version):
    """Each writer recomputes the event's lists in its own transaction: without taking turns, the second
    would compute from a snapshot without the first's link (and then fail on the first's row)."""
    # No links yet, so no row: neither writer has a row to wait on, only the turn the refresh takes.
    event = factories.event(slug="contested")
    assert event.pk not in stored()
    actors = [factories.actor(name) for name in ("Lithuania", "Poland")]
    settings = connection.settings_dict
    dsn = psycopg.conninfo.make_conninfo(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
    )
    insert = "INSERT INTO events_eventactor (event_id, actor_id, role) VALUES (%s, %s, 'target')"
    with psycopg.connect(dsn) as first, psycopg.connect(dsn) as second:
        first.execute(insert, (event.pk, actors[0].pk))  # its transaction stays open
        second_done = threading.Event()

        def second_writer() -> None:
            second.execute(insert, (event.pk, actors[1].pk))
            second.commit()
            second_done.set()

        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not second_done.wait(1), "the second writer waits for the first to finish"
        first.commit()
        thread.join(30)
    assert lists_of(event)["targets"] == "lithuania; poland"


def test_the_command_finds_lists_that_drifted_and_rebuilds_them(pair):
    earlier, later = pair
    call_command("rebuild_export_lists", "--check", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EXPORT_LISTS_TABLE} SET initiators = 'someone-else' WHERE event_id = %s", [later.pk])
    with pytest.raises(CommandError, match=f"The lists of 1 events differ from their links \\(ids {later.pk}\\)"):
        call_command("rebuild_export_lists", "--check")
    output = io.StringIO()
    call_command("rebuild_export_lists", stdout=output)
    assert "Rebuilt" in output.getvalue()
    assert lists_of(later)["initiators"] == "russia"


def test_a_bulk_load_sets_the_triggers_aside_and_rebuilds_once(pair):
    earlier, later = pair
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as at a load's start: no deferred check pending
    with export_lists.suspended():
        EventActor.objects.create(event=earlier, actor=factories.actor("Poland"), role=EventActor.Role.TARGET)
        assert stored()[earlier.pk]["targets"] is None, "not kept while set aside"
    assert lists_of(earlier)["targets"] == "poland"
    EventActor.objects.create(event=earlier, actor=factories.actor("Latvia"), role=EventActor.Role.TARGET)
    assert lists_of(earlier)["targets"] == "latvia; poland", "kept again after"


@pytest.mark.django_db
def test_on_sqlite_the_command_says_there_is_nothing_to_keep():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's answer")
    output = io.StringIO()
    call_command("rebuild_export_lists", "--check", stdout=output)
    assert "only PostgreSQL keeps the export's lists joined" in output.getvalue()
