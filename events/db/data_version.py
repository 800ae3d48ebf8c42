"""The data version (DataVersion, one row), moved by a trigger on every table readers see: declared here
once as BUMP, listed in the Meta.triggers of each model whose rows readers see, installed by the
migrations generated from it, on both databases.

Any write to those tables, whatever makes it (the admin, services, the CSV import's bulk writes,
QuerySet.update() and delete(), raw SQL), moves the version and its time in the same transaction:
cached pages, ETags and Last-Modified are keyed on it (readers/caching.py). PostgreSQL moves it once a
statement, TRUNCATE included; SQLite, which has row triggers only, once a row.
"""

from __future__ import annotations

import pgtrigger

from events.db.portable import POSTGRESQL, SQLITE, PortableTrigger

# When it moved: PostgreSQL's clock at the statement, not the transaction's start (a long transaction
# would otherwise date its change before a reader's earlier fetch, and that reader would get a 304).
NOW = {POSTGRESQL: "clock_timestamp()", SQLITE: "strftime('%Y-%m-%d %H:%M:%f', 'now')"}


def bump(dialect: str) -> str:
    # Imported when the trigger is compiled, not at import: the models import this declaration.
    from events.models import DataVersion

    table = DataVersion._meta.db_table
    return f"""INSERT INTO {table} (id, version, changed_at) VALUES (1, 1, {NOW[dialect]})
ON CONFLICT (id) DO UPDATE SET version = {table}.version + 1, changed_at = excluded.changed_at;"""


BUMP = PortableTrigger(
    name="data_version",
    level=pgtrigger.Statement,
    operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete | pgtrigger.Truncate,
    body=bump,
)
