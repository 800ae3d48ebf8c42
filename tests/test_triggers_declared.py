"""Every database trigger is declared next to the model it serves (events/db/, the models' Meta.triggers)
and installed by a migration generated from that declaration: a declared trigger without its migration,
or a migration whose trigger differs from the declaration, fails here; so does a database whose triggers
are not the declared ones (PostgreSQL: pgtrigger's own status; SQLite: the triggers rendered for it)."""

from __future__ import annotations

import pgtrigger
import pytest
from django.apps import apps
from django.core.management.commands.makemigrations import Command as MakeMigrations
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from pgtrigger.core import INSTALLED
from pgtrigger.migrations import AddTrigger, RemoveTrigger

from events.db import export_lists, latest_change
from events.db.export_lists import RebuildExportLists
from events.db.portable import CompiledTrigger, PortableTrigger, SyncSQLiteTriggers, installed_sqlite_triggers


def pending_trigger_operations() -> list[str]:
    """What makemigrations would write for the triggers (the same autodetector, with pgtrigger's part)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    detector = MakeMigrations.autodetector(loader.project_state(), ProjectState.from_apps(apps))
    changes = detector.changes(graph=loader.graph)
    return [
        f"{app_label}: {operation.describe()}"
        for app_label, migrations in changes.items()
        for migration in migrations
        for operation in migration.operations
        if isinstance(operation, AddTrigger | RemoveTrigger)
    ]


def test_every_declared_trigger_is_in_a_migration_as_declared():
    assert pending_trigger_operations() == [], "run `manage.py makemigrations` for the triggers"


def test_triggers_are_declared_for_every_concern():
    names = {trigger.name for _, trigger in pgtrigger.registered()}
    assert {"search_vector", "totals_insert", "totals_update", "totals_delete", "data_version"} <= names
    assert {trigger.name for _, trigger in export_lists.declared()} <= names
    assert {trigger.get_uri(model) for model, trigger in latest_change.declared()} <= {
        trigger.get_uri(model) for model, trigger in pgtrigger.registered()
    }


def trigger_operations(migration) -> list[tuple[int, AddTrigger | RemoveTrigger]]:
    return [(n, op) for n, op in enumerate(migration.operations) if isinstance(op, AddTrigger | RemoveTrigger)]


def migrations_changing_triggers():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    # In the order of their keys: every pytest-xdist worker must collect the same list.
    migrations = [migration for _, migration in sorted(loader.disk_migrations.items())]
    return [migration for migration in migrations if trigger_operations(migration)]


def touches(operation: AddTrigger | RemoveTrigger, prefix: str = "") -> bool:
    name = operation.trigger.name if isinstance(operation, AddTrigger) else operation.name
    return name.startswith(prefix)


@pytest.mark.parametrize("migration", migrations_changing_triggers(), ids=str)
def test_a_migration_changing_triggers_keeps_sqlites_in_step(migration):
    """SQLite's triggers come from the migration state: a SyncSQLiteTriggers before the migration's
    trigger operations (for going back) and one after them (for going forward)."""
    positions = [n for n, _ in trigger_operations(migration)]
    syncs = [n for n, op in enumerate(migration.operations) if isinstance(op, SyncSQLiteTriggers)]
    assert syncs and syncs[0] < positions[0] and syncs[-1] > positions[-1], (
        f"{migration}: add events.db.portable.SyncSQLiteTriggers() first and last"
    )


@pytest.mark.parametrize("migration", migrations_changing_triggers(), ids=str)
def test_a_migration_changing_the_export_lists_triggers_rebuilds_the_lists(migration):
    lists = [n for n, op in trigger_operations(migration) if touches(op, export_lists.TRIGGER_PREFIX)]
    rebuilds = [n for n, op in enumerate(migration.operations) if isinstance(op, RebuildExportLists)]
    if lists:
        assert rebuilds and rebuilds[-1] > lists[-1], (
            f"{migration}: add events.db.export_lists.RebuildExportLists() after its triggers"
        )


@pytest.mark.django_db
def test_the_database_has_the_declared_triggers_and_no_others():
    registered = pgtrigger.registered()
    if connection.vendor == "postgresql":
        statuses = {trigger.get_uri(model): trigger.get_installation_status(model)[0] for model, trigger in registered}
        assert {uri: status for uri, status in statuses.items() if status != INSTALLED} == {}
        assert pgtrigger.prunable() == [], "triggers installed that no model declares"
    else:
        declared = {
            name: statement
            for model, trigger in registered
            if isinstance(trigger, PortableTrigger)
            for name, statement in trigger.compile(model).sqlite
        }
        with connection.cursor() as cursor:
            assert installed_sqlite_triggers(cursor) == declared


def test_portable_triggers_carry_their_sqlite_form_into_the_migration():
    model, trigger = next((m, t) for m, t in pgtrigger.registered() if isinstance(t, PortableTrigger))
    compiled = trigger.compile(model)
    assert isinstance(compiled, CompiledTrigger) and compiled.sqlite
    assert compiled == trigger.compile(model)
    path, _, kwargs = compiled.deconstruct()
    assert path == "events.db.portable.CompiledTrigger" and kwargs["sqlite"] == compiled.sqlite
