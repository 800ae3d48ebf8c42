"""Each event's latest change (LatestChange), the change feed's index (api/changes.py): kept by triggers
on every table whose writes change an event's representation, declared here, registered on their models
from the app's ready() (the revision history's models are made by django-simple-history, so their Meta
cannot list them), installed by the migrations makemigrations generates from them, on both databases.

What changes an event is the revision history every write path keeps (django-simple-history, the CSV
import's bulk writes included) and the vocabulary's `updated_at`: a history row of the event, of one of
its sources, actor links or reaction links (both ends), or of the event at the other end of one of its
reaction links; an edit of its actor, type or country. In the transaction of the write, each event it
changes gets its row moved to the write's time, if later than the one it holds. PostgreSQL does it once
a statement, from the statement's rows (transition tables: a bulk insert of history is one grouped
upsert); SQLite, which has row triggers only, once a row.

The rows only move forwards: a history row deleted, or written with an earlier time than the event's
latest change, leaves it as it was. The migration that made the table filled it from the history as it
stood (events/migrations/0018_latest_change.py, whose query tests/test_change_feed_index.py compares
with the triggers' work).
"""

from __future__ import annotations

from collections.abc import Callable

import pgtrigger
from django.db.models import Model

from events.db.portable import POSTGRESQL, PortableTrigger


def _written(dialect: str, columns: tuple[str, ...]) -> str:
    """The rows the statement wrote, as a table: PostgreSQL's transition table, SQLite's one row."""
    if dialect == POSTGRESQL:
        return "new_rows"
    return f"(SELECT {', '.join(f'NEW.{column} AS {column}' for column in columns)})"


def _moved(branches: str) -> str:
    """Each event `branches` names (SELECT event id, time …) moved to its latest time there, in id order
    (concurrent writers of the same events take turns in one order, against deadlocks)."""
    from events.models import LatestChange

    table = LatestChange._meta.db_table
    return f"""INSERT INTO {table} (event_id, changed_at)
SELECT event_id, MAX(at) FROM ({branches}) changes WHERE event_id IS NOT NULL GROUP BY event_id ORDER BY event_id
ON CONFLICT (event_id) DO UPDATE SET changed_at = excluded.changed_at WHERE excluded.changed_at > {table}.changed_at;"""


def _event_history(dialect: str) -> str:
    """The event itself, and the events at the other end of its reaction links (they show its title and
    status)."""
    from events.models import Reaction

    rows, reaction = _written(dialect, ("id", "history_date")), Reaction._meta.db_table
    return _moved(
        f"""SELECT h.id AS event_id, h.history_date AS at FROM {rows} h
UNION ALL SELECT r.event_id, h.history_date FROM {rows} h JOIN {reaction} r ON r.responds_to_id = h.id
UNION ALL SELECT r.responds_to_id, h.history_date FROM {rows} h JOIN {reaction} r ON r.event_id = h.id"""
    )


def _part_history(*event_columns: str) -> Callable[[str], str]:
    """A row of an event's part (a source, an actor link, a reaction link): the events it names."""

    def body(dialect: str) -> str:
        rows = _written(dialect, (*event_columns, "history_date"))
        return _moved(
            "\nUNION ALL ".join(
                f"SELECT h.{column} AS event_id, h.history_date AS at FROM {rows} h" for column in event_columns
            )
        )

    return body


def _vocabulary(link_table: str, event_column: str, vocabulary_column: str) -> Callable[[str], str]:
    """An edit of the vocabulary (its `updated_at`): every event linked to the edited rows."""

    def body(dialect: str) -> str:
        rows = _written(dialect, ("id", "updated_at"))
        return _moved(
            f"SELECT linked.{event_column} AS event_id, v.updated_at AS at FROM {rows} v "
            f"JOIN {link_table} linked ON linked.{vocabulary_column} = v.id"
        )

    return body


def _trigger(operation: pgtrigger.Operation, body: Callable[[str], str]) -> PortableTrigger:
    return PortableTrigger(
        name="latest_change",
        level=pgtrigger.Statement,
        operation=operation,
        referencing=pgtrigger.Referencing(new="new_rows"),
        body=body,
    )


def declared() -> list[tuple[type[Model], PortableTrigger]]:
    """(model, trigger) of every trigger keeping the latest changes."""
    from events.models import Actor, Country, Event, EventActor, EventType, Reaction, Source

    event, link = Event._meta.db_table, EventActor._meta.db_table
    return [
        (Event.history.model, _trigger(pgtrigger.Insert, _event_history)),
        (Source.history.model, _trigger(pgtrigger.Insert, _part_history("event_id"))),
        (EventActor.history.model, _trigger(pgtrigger.Insert, _part_history("event_id"))),
        (Reaction.history.model, _trigger(pgtrigger.Insert, _part_history("event_id", "responds_to_id"))),
        (Actor, _trigger(pgtrigger.Update, _vocabulary(link, "event_id", "actor_id"))),
        (EventType, _trigger(pgtrigger.Update, _vocabulary(event, "id", "event_type_id"))),
        (Country, _trigger(pgtrigger.Update, _vocabulary(event, "id", "location_country_id"))),
    ]


def register() -> None:
    """Declares the triggers on their models (the app's ready()): makemigrations writes them from here."""
    for model, trigger in declared():
        pgtrigger.register(trigger)(model)
