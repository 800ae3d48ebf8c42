"""Triggers both databases keep, declared once: django-pgtrigger makes PostgreSQL's, and the same
declaration is rendered for SQLite, the embedded default.

A PortableTrigger is a pgtrigger.Trigger whose body is plain SQL that both databases run (given the
dialect for the few words that differ, such as the clock). On PostgreSQL it is an ordinary pgtrigger
trigger: its function is the body then RETURN NULL, and makemigrations writes its AddTrigger. Compiled, it
also carries its SQLite form, so that the same generated migration holds both, frozen: SQLite has row
triggers only, one operation each, and no TRUNCATE (its DELETE without WHERE fires the row triggers), so
the declaration becomes one row trigger per operation it fires on, with the same condition and body.

pgtrigger installs nothing on SQLite; SyncSQLiteTriggers does, from the migration state at its place in
the history: a migration that adds, changes or removes a portable trigger has one first (undone last,
it puts back the triggers of the state before the migration) and one last (it installs those after).
tests/test_triggers_declared.py checks both, and that the triggers installed are the ones declared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pgtrigger
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.models import Model
from pgtrigger import compiler

POSTGRESQL, SQLITE = "postgresql", "sqlite"
# Every trigger pgtrigger or this module makes is named from its pgid, which starts so.
NAME_PREFIX = "pgtrigger_"


class CompiledTrigger(compiler.Trigger):
    """pgtrigger's compiled trigger (what a migration freezes), with the SQLite statements beside it:
    ((name, CREATE TRIGGER statement), …), so that a change to either is a change makemigrations sees."""

    def __init__(self, *, name: str | None, sql: compiler.UpsertTriggerSql, sqlite: tuple = ()) -> None:
        super().__init__(name=name, sql=sql)
        self.sqlite = tuple(tuple(pair) for pair in sqlite)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.sqlite == other.sqlite

    def deconstruct(self) -> tuple[str, list, dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        return path, args, {**kwargs, "sqlite": self.sqlite}


class PortableTrigger(pgtrigger.Trigger):
    """An AFTER trigger whose `body(dialect)` is SQL statements both databases run (each ending in ';')."""

    when = pgtrigger.After

    def __init__(self, *, body: Callable[[str], str], **kwargs: Any) -> None:
        self.body = body
        super().__init__(**kwargs)

    def get_func(self, model: type[Model]) -> str:
        return f"{self.body(POSTGRESQL)}\nRETURN NULL;"

    def render_sqlite(self, model: type[Model]) -> tuple[tuple[str, str], ...]:
        """One row trigger per operation, named from the pgid and the operation's verb."""
        pgid, table = self.get_pgid(model), model._meta.db_table
        condition, body = self.render_condition(model), self.body(SQLITE)
        statements = []
        for operation in self.operation:
            verb = str(operation).split()[0]
            if verb == str(pgtrigger.Truncate):
                continue
            name = f"{pgid}_{verb.lower()}"
            head = f'CREATE TRIGGER {name} AFTER {operation} ON "{table}" FOR EACH ROW'
            statements.append((name, " ".join(clause for clause in (head, condition, "BEGIN", body, "END") if clause)))
        return tuple(statements)

    def compile(self, model: type[Model]) -> CompiledTrigger:
        compiled = super().compile(model)
        return CompiledTrigger(name=compiled.name, sql=compiled.sql, sqlite=self.render_sqlite(model))


def sqlite_statements(state: ProjectState) -> dict[str, str]:
    """The SQLite triggers of every portable trigger in a migration state: {name: CREATE TRIGGER}."""
    return {
        name: statement
        for model_state in state.models.values()
        for trigger in model_state.options.get("triggers", [])
        if isinstance(trigger, CompiledTrigger)
        for name, statement in trigger.sqlite
    }


def installed_sqlite_triggers(cursor) -> dict[str, str]:
    """{name: CREATE TRIGGER} of the triggers made from declarations, as SQLite keeps them."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '\\'",
        [NAME_PREFIX.replace("_", "\\_") + "%"],
    )
    return dict(cursor.fetchall())


class DatabaseOperation(Operation):
    """A migration operation on the database alone: the state does not change. `run` gets the state at
    the operation's place in the history, going forwards and (unless `run_backwards` says otherwise)
    going backwards."""

    reduces_to_sql = False
    reversible = True

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        """The state stays as it is."""

    def run(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState) -> None:
        raise NotImplementedError

    def run_backwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState) -> None:
        self.run(app_label, schema_editor, state)

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self.run(app_label, schema_editor, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self.run_backwards(app_label, schema_editor, to_state)


class SyncSQLiteTriggers(DatabaseOperation):
    """On SQLite, makes the installed triggers those of the migration state at this point, forwards and
    backwards (on PostgreSQL pgtrigger's own operations do it: nothing here). A migration that changes
    portable triggers has one first and one last (see the module's docstring)."""

    def run(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState) -> None:
        if schema_editor.connection.vendor != SQLITE:
            return
        wanted = sqlite_statements(state)
        with schema_editor.connection.cursor() as cursor:
            installed = installed_sqlite_triggers(cursor)
        for name, statement in installed.items():
            if wanted.get(name) != statement:
                schema_editor.execute(f"DROP TRIGGER {name}", params=None)
        for name, statement in wanted.items():
            if installed.get(name) != statement:
                schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return "Make SQLite's triggers those declared at this point of the migrations"
