"""The export's list columns, kept joined per event on PostgreSQL, for the COPY path.

Joining and aggregating an event's linked rows (actors, reactions, sources) at export time cost the COPY
path about four fifths of its time: 100,000 events were written at a sixth of the speed of a plain
`COPY events_event`. Here they are joined ahead of time, one row per event in ExportLists
(EXPORT_LISTS_TABLE), one column per list field of the record (events/record.py), holding the values as
the CSV cell joins them (before neutralisation, which the COPY applies to the cell). The COPY then reads
the event and its lists row: two rows, no aggregate.

The table is kept by statement-level triggers, in the transaction of every write whatever makes it (the
admin, the import's bulk writes, QuerySet.update() and delete(), raw SQL), each recomputing the lists of
the events the statement touched, from the same generated SQL as the full rebuild:

- a linked row (EventActor, Source, Reaction) inserted, changed or deleted: its event (both, if it moved);
- a row its values are read through (an Actor, for its slug; an Event, as the one reacted to, for its
  slug and status) changed: every event linked to it;
- an event deleted: its lists row; a table emptied (TRUNCATE, as `flush` does): everything rebuilt;
- the lists table itself emptied: refilled, which is how a migration rebuilds it (RebuildExportLists).

Which tables get which trigger, and every function's SQL, are generated from the record, so they cannot
drift from it. The triggers are registered on their models with pgtrigger (register(), from the app's
ready(): what they are depends on the record, which needs the models loaded, so they cannot be written in
the models' Meta), and makemigrations writes them into a migration like any declared trigger: a record
change that changes them is a new migration, which ends with RebuildExportLists so that the rows follow
(tests/test_triggers_declared.py fails until both are there). SQLite keeps the table empty: its export is
the Python path, which reads the linked rows itself.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import pgtrigger
import psycopg.adapt
from django.db import connections
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper
from django.db.migrations.state import ProjectState
from django.db.models import F, Model, QuerySet, TextField, Value
from django.db.models.functions import Cast, Collate
from pgtrigger.core import INSTALLED

from events.db.portable import POSTGRESQL, DatabaseOperation
from events.models import Event, ExportLists
from events.record import LISTS, MULTI_VALUE_SEPARATOR, RecordField

EXPORT_LISTS_TABLE = ExportLists._meta.db_table
TRIGGER_PREFIX = "lists_"  # the name of every trigger here starts so
# The columns of the linked rows of every list field, one UNION ALL branch per field.
LINK_COLUMNS = ("event_key", "list_index", "value", "sort_key", "sort_id")
LIST_COLUMNS = ", ".join(f.name for f in LISTS)  # the table's columns after event_id, in the record's order


@functools.cache
def _postgresql() -> PostgreSQLWrapper:
    """PostgreSQL's SQL compiler, never connected: the triggers' SQL is the same whichever database runs
    makemigrations (SQLite, by default)."""
    return PostgreSQLWrapper({"NAME": "", "OPTIONS": {}}, alias="export-lists-sql")


def _inline(sql: str, params: tuple) -> str:
    """A compiled query with its parameters written in as PostgreSQL literals (it goes into a function)."""
    literal = psycopg.adapt.Transformer().as_literal
    return sql % tuple(literal(param).decode() for param in params)


def _list_links(list_index: int, record_field: RecordField) -> QuerySet:
    """The linked rows of one list field as LINK_COLUMNS: sorted by (sort_key, sort_id) they are in the
    list's order (the value in code-point order, as COLLATE "C" sorts, then the row id; or the row id)."""
    many = record_field.many
    by_value = many.order == "value"
    value = Cast(many.value, TextField())
    columns = (
        F(f"{many.event_field}_id"),
        Value(list_index),
        value,
        Collate(value if by_value else Value(""), "C"),
        F("id" if by_value else many.order),
    )
    return many.model.objects.filter(many.where).order_by().values(**dict(zip(LINK_COLUMNS, columns, strict=True)))


@functools.cache
def _links_sql() -> str:
    """Every list field's linked rows in one UNION ALL."""
    branches = [_list_links(index, f) for index, f in enumerate(LISTS)]
    query = branches[0].union(*branches[1:], all=True).query
    return _inline(*query.get_compiler(connection=_postgresql()).as_sql())


def _aggregated(*, restrict: str = "") -> str:
    """(event_key, one joined column per list): one STRING_AGG … FILTER per list, each in its own order,
    over the linked rows of every list at once (`restrict` joins them to the events asked for)."""
    key, index, value, sort_key, sort_id = LINK_COLUMNS
    separator = _inline("%s", (MULTI_VALUE_SEPARATOR,))
    aggregates = ", ".join(
        f"STRING_AGG(links.{value}, {separator} ORDER BY links.{sort_key}, links.{sort_id}) "
        f"FILTER (WHERE links.{index} = {n})"
        for n, _ in enumerate(LISTS)
    )
    return f"SELECT links.{key}, {aggregates} FROM ({_links_sql()}) links {restrict} GROUP BY links.{key}"


def _lookups(condition) -> list[str]:
    lookups = []
    for child in condition.children:
        lookups += _lookups(child) if hasattr(child, "children") else [child[0]]
    return lookups


def _links() -> dict[type[Model], str]:
    """The link model of every list field, once each, and its column naming the event."""
    return {f.many.model: f.many.model._meta.get_field(f.many.event_field).column for f in LISTS}


def _far_links() -> list[tuple[type[Model], type[Model], str]]:
    """(far model, link model, the link's column to it) for every row a list reads its values through:
    a change there changes the lists of the events linked to it (e.g. an actor's slug)."""
    found = []
    for record_field in LISTS:
        many = record_field.many
        paths = [many.value, *_lookups(many.where)]
        for name in dict.fromkeys(path.split("__")[0] for path in paths):
            relation = many.model._meta.get_field(name)
            if relation.is_relation and name != many.event_field:
                link = (relation.related_model, many.model, relation.column)
                if link not in found:
                    found.append(link)
    return found


def _rebuild_sql() -> str:
    """Every event's lists recomputed from the linked rows: the TRUNCATE triggers' body and rebuild()."""
    table = EXPORT_LISTS_TABLE
    return f"DELETE FROM {table}; INSERT INTO {table} (event_id, {LIST_COLUMNS}) {_aggregated()}"


def _refreshed(affected: str) -> str:
    """The lists of the events `affected` (a SELECT of their ids over the transition tables) recomputed.

    Writers of the same events take turns (in id order, against deadlocks): each statement takes a fresh
    snapshot, so each recomputes from what the one before it committed, and none is lost."""
    table, key = EXPORT_LISTS_TABLE, LINK_COLUMNS[0]
    restrict = f"JOIN unnest(ids) AS asked(id) ON asked.id = links.{key}"
    return f"""ids := ARRAY({affected});
IF cardinality(ids) = 0 THEN RETURN NULL; END IF;
PERFORM 1 FROM {Event._meta.db_table} WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
DELETE FROM {table} WHERE event_id = ANY(ids);
INSERT INTO {table} (event_id, {LIST_COLUMNS}) {_aggregated(restrict=restrict)};"""


def _trigger(name: str, operation: pgtrigger.Operation, func: str, **options) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=TRIGGER_PREFIX + name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        func=f"{func}\nRETURN NULL;",
        **options,
    )


def _refresh(name: str, operation: pgtrigger.Operation, affected: str) -> pgtrigger.Trigger:
    """A trigger recomputing the lists of the events its statement touched, read from its transition
    tables: new_rows (inserted, or updated as they are now) and old_rows (deleted, or as they were)."""
    referencing = {
        pgtrigger.Insert: pgtrigger.Referencing(new="new_rows"),
        pgtrigger.Delete: pgtrigger.Referencing(old="old_rows"),
        pgtrigger.Update: pgtrigger.Referencing(old="old_rows", new="new_rows"),
    }[operation]
    return _trigger(name, operation, _refreshed(affected), referencing=referencing, declare=[("ids", "bigint[]")])


@functools.cache
def declared() -> tuple[tuple[type[Model], pgtrigger.Trigger], ...]:
    """(model, trigger) of every trigger keeping the lists, generated from the record."""
    triggers = []
    for link, event_column in _links().items():
        triggers += [
            (link, _refresh("insert", pgtrigger.Insert, f"SELECT DISTINCT {event_column} FROM new_rows")),
            (link, _refresh("delete", pgtrigger.Delete, f"SELECT DISTINCT {event_column} FROM old_rows")),
            (
                link,
                _refresh(
                    "update",
                    pgtrigger.Update,
                    f"SELECT {event_column} FROM old_rows UNION SELECT {event_column} FROM new_rows",
                ),
            ),
        ]
    for far, link, link_column in _far_links():
        event_column = _links()[link]
        affected = (
            f"SELECT DISTINCT link.{event_column} FROM {link._meta.db_table} link "
            f"JOIN new_rows ON new_rows.id = link.{link_column}"
        )
        triggers.append((far, _refresh(f"via_{link._meta.model_name}", pgtrigger.Update, affected)))
    # An event deleted: its row goes (its links were deleted before it, which recomputed it first).
    triggers.append(
        (
            Event,
            _trigger(
                "event_delete",
                pgtrigger.Delete,
                f"DELETE FROM {EXPORT_LISTS_TABLE} WHERE event_id IN (SELECT id FROM old_rows);",
                referencing=pgtrigger.Referencing(old="old_rows"),
            ),
        )
    )
    read = {Event, *_links(), *(far for far, *_ in _far_links())}
    triggers += [
        (model, _trigger("truncate", pgtrigger.Truncate, f"{_rebuild_sql()};"))
        for model in sorted(read, key=lambda model: model._meta.db_table)
    ]
    insert = f"INSERT INTO {EXPORT_LISTS_TABLE} (event_id, {LIST_COLUMNS}) {_aggregated()};"
    triggers.append((ExportLists, _trigger("rebuild", pgtrigger.Truncate, insert)))
    return tuple(triggers)


def register() -> None:
    """Declares the triggers on their models (the app's ready()): makemigrations writes them from here."""
    for model, trigger in declared():
        pgtrigger.register(trigger)(model)


def installed(using: str = "default") -> bool:
    """Whether the database has every trigger as declared (the migrations ran)."""
    return all(trigger.get_installation_status(model, database=using)[0] == INSTALLED for model, trigger in declared())


class RebuildExportLists(DatabaseOperation):
    """The last operation of a migration that (re)makes the lists' triggers: every event's lists
    recomputed by the SQL of the triggers as that migration froze them, not by today's code (emptying the
    table fires its `rebuild` trigger, which refills it). Going back, the rows are left as they are: after
    migrating back, `manage.py rebuild_export_lists` with the code of that time."""

    def run(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState) -> None:
        if schema_editor.connection.vendor == POSTGRESQL:
            table = state.apps.get_model(app_label, ExportLists._meta.model_name)._meta.db_table
            schema_editor.execute(f"TRUNCATE {schema_editor.quote_name(table)}", params=None)

    def run_backwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState) -> None:
        """Nothing: see the class's docstring."""

    def describe(self) -> str:
        return "Rebuild the export's lists with the triggers of this migration"


def rebuild(using: str = "default") -> None:
    """Every event's lists, recomputed from the linked rows (the triggers keep them so afterwards)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_rebuild_sql())


def mismatches(using: str = "default") -> list[int]:
    """The events whose kept lists differ from what a rebuild would give (none when the triggers kept
    them), for `rebuild_export_lists --check`."""
    columns = f"event_id, {LIST_COLUMNS}"
    fresh = _aggregated()
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT event_id FROM ((SELECT {columns} FROM {EXPORT_LISTS_TABLE} EXCEPT {fresh}) "
            f"UNION (({fresh}) EXCEPT SELECT {columns} FROM {EXPORT_LISTS_TABLE})) differing "
            "GROUP BY event_id ORDER BY event_id"
        )
        return [event_id for (event_id,) in cursor.fetchall()]


@contextmanager
def suspended(using: str = "default") -> Iterator[None]:
    """For a bulk load: the triggers set aside while it writes, the lists rebuilt once after (a
    statement of a million linked rows would otherwise recompute every event it touches, per table)."""
    for model, trigger in declared():
        trigger.disable(model, database=using)
    try:
        yield
    finally:
        for model, trigger in declared():
            trigger.enable(model, database=using)
        rebuild(using)
