"""The export's list columns, kept joined per event on PostgreSQL, for the COPY path.

Joining and aggregating an event's linked rows (actors, reactions, sources) at export time cost the COPY
path about four fifths of its time: 100,000 events were written at a sixth of the speed of a plain
`COPY events_event`. Here they are joined ahead of time, one row per event in EXPORT_LISTS_TABLE, one
column per list field of the record (events/record.py), holding the values as the CSV cell joins them
(before neutralisation, which the COPY applies to the cell). The COPY then reads the event and its
lists row: two rows, no aggregate.

The table is kept by statement-level triggers, in the transaction of every write whatever makes it (the
admin, the import's bulk writes, QuerySet.update() and delete(), raw SQL), each recomputing the lists of
the events the statement touched, from the same generated SQL as the full rebuild:

- a linked row (EventActor, Source, Reaction) inserted, changed or deleted: its event (both, if it moved);
- a row its values are read through (an Actor, for its slug; an Event, as the one reacted to, for its
  slug and status) changed: every event linked to it;
- an event deleted: its lists row; a table emptied (TRUNCATE, as `flush` does): everything rebuilt.

Everything here is generated from the record, so it cannot drift from it: install() runs after every
`migrate` (apps.py) and, when the generated definition differs from the one installed (a list field
added or changed), replaces table, function and triggers and rebuilds the rows. SQLite has no such
table: its export is the Python path, which reads the linked rows itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Cast, Collate

from events.models import Event
from events.record import LISTS, MULTI_VALUE_SEPARATOR, RecordField

EXPORT_LISTS_TABLE = "events_exportlists"
REFRESH_FUNCTION = "events_exportlists_refresh"
TRIGGER_PREFIX = "events_exportlists_"
# The columns of the linked rows of every list field, one UNION ALL branch per field.
LINK_COLUMNS = ("event_key", "list_index", "value", "sort_key", "sort_id")
DEFINITION_MARK = "tension-timeline export lists "  # + the definition's digest, as the table's comment
LIST_COLUMNS = ", ".join(f.name for f in LISTS)  # the table's columns after event_id, in the record's order


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


def _links_sql(using: str) -> str:
    """Every list field's linked rows in one UNION ALL, its parameters bound (it goes into a function)."""
    branches = [_list_links(index, f) for index, f in enumerate(LISTS)]
    sql, params = branches[0].union(*branches[1:], all=True).query.sql_with_params()
    return connections[using].ops.compose_sql(sql, params)


def _aggregated(using: str, *, restrict: str = "") -> str:
    """(event_key, one joined column per list): one STRING_AGG … FILTER per list, each in its own order,
    over the linked rows of every list at once (`restrict` joins them to the events asked for)."""
    key, index, value, sort_key, sort_id = LINK_COLUMNS
    separator = connections[using].ops.compose_sql("%s", [MULTI_VALUE_SEPARATOR])
    aggregates = ", ".join(
        f"STRING_AGG(links.{value}, {separator} ORDER BY links.{sort_key}, links.{sort_id}) "
        f"FILTER (WHERE links.{index} = {n})"
        for n, _ in enumerate(LISTS)
    )
    return f"SELECT links.{key}, {aggregates} FROM ({_links_sql(using)}) links {restrict} GROUP BY links.{key}"


def _far_links() -> list[tuple[str, str, str]]:
    """(far table, link table, the link's column to it) for every row a list reads its values through:
    a change there changes the lists of the events linked to it (e.g. an actor's slug)."""
    found = []
    for record_field in LISTS:
        many = record_field.many
        paths = [many.value, *_lookups(many.where)]
        for name in dict.fromkeys(path.split("__")[0] for path in paths):
            relation = many.model._meta.get_field(name)
            if relation.is_relation and name != many.event_field:
                link = (relation.related_model._meta.db_table, many.model._meta.db_table, relation.column)
                if link not in found:
                    found.append(link)
    return found


def _lookups(condition) -> list[str]:
    lookups = []
    for child in condition.children:
        lookups += _lookups(child) if hasattr(child, "children") else [child[0]]
    return lookups


def _link_tables() -> list[tuple[str, str]]:
    """(link table, its column naming the event) of every list field, once each."""
    tables = {}
    for record_field in LISTS:
        many = record_field.many
        tables[many.model._meta.db_table] = many.model._meta.get_field(many.event_field).column
    return list(tables.items())


def _rebuild_sql(using: str) -> str:
    """Every event's lists recomputed from the linked rows: the TRUNCATE trigger's body and rebuild()."""
    table = EXPORT_LISTS_TABLE
    return f"DELETE FROM {table}; INSERT INTO {table} (event_id, {LIST_COLUMNS}) {_aggregated(using)}"


def definition(using: str = "default") -> list[str]:
    """The table, its refresh function and its triggers, as statements, generated from the record."""
    table, function = EXPORT_LISTS_TABLE, REFRESH_FUNCTION
    refresh = f"""CREATE FUNCTION {function}(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  -- Writers of the same events take turns (in id order, against deadlocks): each statement below takes a
  -- fresh snapshot, so each recomputes from what the one before it committed, and none is lost.
  PERFORM 1 FROM {Event._meta.db_table} WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
  DELETE FROM {table} WHERE event_id = ANY(ids);
  INSERT INTO {table} (event_id, {LIST_COLUMNS})
  {_aggregated(using, restrict=f"JOIN unnest(ids) AS asked(id) ON asked.id = links.{LINK_COLUMNS[0]}")};
END $$"""
    statements = [
        f"CREATE TABLE {table} (event_id bigint PRIMARY KEY, {', '.join(f'{f.name} text' for f in LISTS)})",
        refresh,
        f"""CREATE FUNCTION {TRIGGER_PREFIX}rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_rebuild_sql(using)};
  RETURN NULL;
END $$""",
    ]

    def trigger(name: str, operation: str, on: str, affected: str) -> None:
        transition = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}.get(
            operation, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        )
        statements.append(
            f"""CREATE FUNCTION {TRIGGER_PREFIX}{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM {function}(ARRAY({affected}));
  RETURN NULL;
END $$"""
        )
        statements.append(
            f"CREATE TRIGGER {TRIGGER_PREFIX}{name} AFTER {operation} ON {on} REFERENCING {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}{name}()"
        )

    truncated = {Event._meta.db_table}
    for link_table, event_column in _link_tables():
        truncated.add(link_table)
        trigger(f"{link_table}_insert", "INSERT", link_table, f"SELECT DISTINCT {event_column} FROM new_rows")
        trigger(f"{link_table}_delete", "DELETE", link_table, f"SELECT DISTINCT {event_column} FROM old_rows")
        trigger(
            f"{link_table}_update",
            "UPDATE",
            link_table,
            f"SELECT {event_column} FROM old_rows UNION SELECT {event_column} FROM new_rows",
        )
    for far_table, link_table, link_column in _far_links():
        truncated.add(far_table)
        event_column = dict(_link_tables())[link_table]
        trigger(
            f"{far_table}_via_{link_table}_update",
            "UPDATE",
            far_table,
            f"SELECT DISTINCT link.{event_column} FROM {link_table} link "
            f"JOIN new_rows ON new_rows.id = link.{link_column}",
        )
    # An event deleted: its row goes (its links were deleted before it, which recomputed it first).
    statements.append(
        f"""CREATE FUNCTION {TRIGGER_PREFIX}event_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {table} WHERE event_id IN (SELECT id FROM old_rows);
  RETURN NULL;
END $$"""
    )
    statements.append(
        f"CREATE TRIGGER {TRIGGER_PREFIX}event_delete AFTER DELETE ON {Event._meta.db_table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}event_delete()"
    )
    statements += [
        f"CREATE TRIGGER {TRIGGER_PREFIX}{name}_truncate AFTER TRUNCATE ON {name} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}rebuild()"
        for name in sorted(truncated)
    ]
    return statements


def _digest(statements: list[str]) -> str:
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()[:16]


def _triggers(cursor) -> list[tuple[str, str]]:
    """(name, table) of every trigger install() made, found by name."""
    cursor.execute(
        "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
        [TRIGGER_PREFIX.replace("_", r"\_") + "%"],
    )
    return cursor.fetchall()


def _drop(cursor) -> None:
    """Everything install() made, whatever the definition it was made from: found by name."""
    for name, table in _triggers(cursor):
        cursor.execute(f'DROP TRIGGER "{name}" ON {table}')
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE pg_function_is_visible(p.oid) "
        "AND (p.proname LIKE %s OR p.proname = %s)",
        [TRIGGER_PREFIX.replace("_", r"\_") + "%", REFRESH_FUNCTION],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(f"DROP FUNCTION {signature}")
    cursor.execute(f"DROP TABLE IF EXISTS {EXPORT_LISTS_TABLE}")


def installed_digest(using: str = "default") -> str | None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [EXPORT_LISTS_TABLE])
        comment = cursor.fetchone()[0] or ""
    return comment.removeprefix(DEFINITION_MARK) if comment.startswith(DEFINITION_MARK) else None


def install(using: str = "default") -> bool:
    """Makes the table, its function and triggers as the record now describes them, and fills it; does
    nothing when they are already so. Returns whether it (re)installed. PostgreSQL only."""
    connection = connections[using]
    needed = {Event._meta.db_table, *(table for table, _ in _link_tables()), *(far for far, *_ in _far_links())}
    if not needed <= set(connection.introspection.table_names()):
        return False  # migrated back before the record's tables: nothing to join
    statements = definition(using)
    digest = _digest(statements)
    if installed_digest(using) == digest:
        return False
    # One transaction: no write can fall between the triggers' creation and the rebuild.
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        _drop(cursor)
        for statement in statements:
            cursor.execute(statement)
        rebuild(using)
        cursor.execute(f"COMMENT ON TABLE {EXPORT_LISTS_TABLE} IS %s", [DEFINITION_MARK + digest])
    return True


def rebuild(using: str = "default") -> None:
    """Every event's lists, recomputed from the linked rows (the triggers keep them so afterwards)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_rebuild_sql(using))


def mismatches(using: str = "default") -> list[int]:
    """The events whose kept lists differ from what a rebuild would give (none when the triggers kept
    them), for `rebuild_export_lists --check`."""
    columns = f"event_id, {LIST_COLUMNS}"
    fresh = _aggregated(using)
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
    with connections[using].cursor() as cursor:
        triggers = _triggers(cursor)
        for name, table in triggers:
            cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    try:
        yield
    finally:
        with connections[using].cursor() as cursor:
            for name, table in triggers:
                cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
        rebuild(using)
