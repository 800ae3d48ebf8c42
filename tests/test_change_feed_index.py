"""The change feed's index (LatestChange, kept by triggers: events/db/latest_change.py) gives the positions
the feed gave when it grouped every change in the revision history at each request: after every kind of
write, by every path (saves, deletes, the CSV import's bulk writes, QuerySet.update()), each event's row
is its latest change by that grouping, and every page read from any cursor is the same. The reference is
the grouping as the migration that made the index froze it, to fill the table from the history."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.changes import BEGINNING, Position, _as_datetime, changed_events
from editorial import importing
from events.models import Actor, Country, Event, EventActor, EventType, LatestChange, Reaction, Source
from tests import factories
from tests.test_csv_import import csv_file, row

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("events.migrations.0018_latest_change")


def grouped() -> list[Position]:
    """Every event's latest change by the old grouping query, in the feed's order."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT event_id, MAX(at) FROM ({MIGRATION.CHANGES}) changes GROUP BY event_id ORDER BY 2, 1")
        return [Position(_as_datetime(at), event_id) for event_id, at in cursor.fetchall()]


def kept() -> list[Position]:
    rows = LatestChange.objects.order_by("changed_at", "event_id").values_list("changed_at", "event_id")
    return [Position(at, event_id) for at, event_id in rows]


def _event(slug: str) -> Event:
    return Event.objects.get(slug=slug)


def _publish_the_draft_with_its_parts() -> None:
    draft = _event("draft")
    Source.objects.create(event=draft, publisher="LRT", title="Follow-up", kind=Source.Kind.NEWS)
    EventActor.objects.create(event=draft, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    draft.status = Event.Status.PUBLISHED
    draft.save()


def _move_a_source_to_another_event() -> None:
    source = Source.objects.get(title="Follow-up")
    source.event = _event("talks")
    source.save()


def _add_and_delete_a_source() -> None:
    Source.objects.create(event=_event("patriot"), publisher="ERR", title="Second", kind=Source.Kind.NEWS).delete()


def _link_a_reaction_and_edit_it() -> None:
    link = factories.reaction(_event("draft"), _event("patriot"))
    link.basis_judgement = "Read again."
    link.save()


def _edit_the_event_at_the_other_end() -> None:
    patriot = _event("patriot")
    patriot.title = "Patriot systems for Lithuania (corrected)"
    patriot.save()


def _edit_the_reacting_event() -> None:
    draft = _event("draft")
    draft.summary = "Edited after its link."
    draft.save()


def _delete_the_reaction_and_an_actor_link() -> None:
    Reaction.objects.get(event=_event("draft")).delete()
    EventActor.objects.filter(event=_event("warning")).first().delete()


def _link_with_a_source_of_the_links_own() -> None:
    basis = Source.objects.create(publisher="PAP", title="Basis", kind=Source.Kind.NEWS)
    factories.reaction(_event("talks"), _event("warning"), basis_judgement="", basis_source=basis)


def _retract_unpublish_and_delete() -> None:
    talks = _event("talks")
    talks.status, talks.retraction_note = Event.Status.RETRACTED, "Never took place."
    talks.save()
    warning = _event("warning")
    warning.status = Event.Status.DRAFT
    warning.save()
    _event("withdrawn").delete()


def _save_an_actor() -> None:
    nato = Actor.objects.get(slug="nato")
    nato.name = "NATO (the Alliance)"
    nato.save()


def _update_a_type_and_a_country_in_bulk() -> None:
    # Every event of the country at one instant: ties broken by event id.
    EventType.objects.filter(slug="talks").update(name="Talks and negotiations", updated_at=timezone.now())
    Country.objects.filter(iso2="LT").update(name="Lithuania (Republic)", updated_at=timezone.now())


def _import_a_file_twice() -> None:
    """The CSV import's bulk writes: new drafts with their actors and sources, then updated."""
    factories.actor("Russia")
    for summary in ("First import.", "Second import."):
        report = importing.import_events(file=csv_file(row(summary=summary), row(slug="second", title="Second")))
        assert report.ok, report


def _update_in_bulk_without_history() -> None:
    # No history row, no vocabulary edit: the feed never counted it.
    Event.objects.filter(slug="review").update(summary="Edited in bulk.")


EVERY_KIND_OF_CHANGE = (
    _publish_the_draft_with_its_parts,
    _move_a_source_to_another_event,
    _add_and_delete_a_source,
    _link_a_reaction_and_edit_it,
    _edit_the_event_at_the_other_end,
    _edit_the_reacting_event,
    _delete_the_reaction_and_an_actor_link,
    _link_with_a_source_of_the_links_own,
    _retract_unpublish_and_delete,
    _save_an_actor,
    _update_a_type_and_a_country_in_bulk,
    _import_a_file_twice,
    _update_in_bulk_without_history,
)


@pytest.fixture
def changed(record) -> None:
    for step in EVERY_KIND_OF_CHANGE:
        step()


def test_after_every_write_each_events_row_is_its_latest_change_by_the_old_grouping(record):
    assert kept() == grouped()
    for step in EVERY_KIND_OF_CHANGE:
        step()
        assert kept() == grouped(), step.__name__
    assert {p.event_id for p in kept()} > set(Event.objects.values_list("pk", flat=True))  # the deleted one too


def test_every_page_from_every_cursor_is_the_old_one(changed):
    reference = grouped()
    cursors = [Position(BEGINNING, 0), *reference]
    # `since` points between the positions too: a time with event id 0.
    cursors += [Position(p.changed_at, 0) for p in reference] + [
        Position(p.changed_at - datetime.timedelta(microseconds=1), 0) for p in reference
    ]
    for cursor in cursors:
        following = [p for p in reference if (p.changed_at, p.event_id) > (cursor.changed_at, cursor.event_id)]
        for limit in (1, 3, 1000):
            assert changed_events(cursor, limit) == following[:limit], (cursor, limit)


def test_the_migrations_fill_gives_what_the_triggers_keep(changed):
    before = kept()
    LatestChange.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(MIGRATION.FILL)
    assert kept() == before


def test_a_page_is_a_range_of_the_index_without_sort_or_grouping(record):
    with CaptureQueriesContext(connection) as queries:
        changed_events(Position(BEGINNING, 0), 10)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is read whole; told to avoid that, the planner shows the index serves the order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {query['sql']}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = "\n".join(str(line[-1]) for line in cursor.fetchall())
    assert "latestchange_position" in plan, plan
    assert not any(word in plan for word in ("Sort", "Aggregate", "TEMP B-TREE")), plan
