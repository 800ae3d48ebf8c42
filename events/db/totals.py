"""The per-day totals (DailyTotal, DailyTypeTotal), kept by triggers on the events: declared here, listed in
Event.Meta.triggers, installed by the migrations makemigrations generates from them, on both databases.

In the transaction of every write to events_event, whatever makes it (Event.save() through the services
and the admin, the CSV import's bulk_create/bulk_update, QuerySet.update() and delete(), raw SQL), a
public event's row is added to its totals (by day, type, status and verification: the tension index's
weighting rule, events/tension.py, reads the last two) and removed from them: an insert adds it, a delete removes it,
an update of a totalled column removes the old row and adds the new. Django signals would miss the bulk
writes and raw SQL. `manage.py rebuild_daily_totals` recomputes the totals from the events.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pgtrigger

from events.db.portable import PortableTrigger

# The event's columns its totals are kept by: an update of any other column leaves them alone.
TOTALLED = ("date", "event_type_id", "location_country_id", "status", "verification", "escalation")


def _levels() -> list[tuple[str, str, str, str]]:
    """Per level of totals: (table, its key columns beyond day/type/status, their values from {row},
    the same matched against OLD). Two levels, one trigger: by day, type, country and status (for views
    filtered by place), and by day, type and status (every other view: a few rows a day)."""
    # Imported when the triggers are compiled, not at import: the models import these declarations.
    from events.models import NO_COUNTRY, DailyTotal, DailyTypeTotal

    return [
        (
            DailyTotal._meta.db_table,
            ", country_key",
            f", COALESCE({{row}}.location_country_id, {NO_COUNTRY})",
            f" AND country_key = COALESCE(OLD.location_country_id, {NO_COUNTRY})",
        ),
        (DailyTypeTotal._meta.db_table, "", "", ""),
    ]


def _public() -> str:
    from events.models import PUBLIC_STATUSES

    return f"({', '.join(repr(str(status)) for status in PUBLIC_STATUSES)})"


def _tenths(row: str) -> str:
    from events.models import ESCALATION_TENTHS

    return f"CAST(ROUND({row}.escalation * {ESCALATION_TENTHS}) AS BIGINT)"


def added(dialect: str) -> str:
    """NEW's row added to its totals, if public: an upsert, so concurrent writers of the same key take
    turns on that one row (PostgreSQL) and a key is never inserted twice."""
    return "\n".join(
        f"""INSERT INTO {table} (day, event_type_id{columns}, status, verification, events, escalation_tenths)
SELECT NEW.date, NEW.event_type_id{values.format(row="NEW")}, NEW.status, NEW.verification, 1, {_tenths("NEW")}
 WHERE NEW.status IN {_public()}
ON CONFLICT (day, event_type_id{columns}, status, verification) DO UPDATE
   SET events = {table}.events + excluded.events,
       escalation_tenths = {table}.escalation_tenths + excluded.escalation_tenths;"""
        for table, columns, values, _ in _levels()
    )


def removed(dialect: str) -> str:
    """OLD's row taken from its totals: only a total that exists is changed (a `flush` empties the totals
    before the events: a removal must not leave a negative total), and one that reaches zero goes."""
    return "\n".join(
        f"""UPDATE {table} SET events = events - 1, escalation_tenths = escalation_tenths - {_tenths("OLD")}
 WHERE day = OLD.date AND event_type_id = OLD.event_type_id{matching} AND status = OLD.status
   AND verification = OLD.verification;
DELETE FROM {table}
 WHERE day = OLD.date AND event_type_id = OLD.event_type_id{matching} AND status = OLD.status
   AND verification = OLD.verification AND events <= 0;"""
        for table, _, _, matching in _levels()
    )


def moved(dialect: str) -> str:
    return f"{removed(dialect)}\n{added(dialect)}"


class Emptied(pgtrigger.Trigger):
    """PostgreSQL's TRUNCATE fires no row trigger: emptying the events empties their totals. (SQLite has no
    TRUNCATE; its DELETE without WHERE fires the row triggers.)"""

    level = pgtrigger.Statement
    when = pgtrigger.After
    operation = pgtrigger.Truncate

    def get_func(self, model) -> str:
        return " ".join(f"DELETE FROM {table};" for table, *_ in _levels()) + " RETURN NULL;"


TRIGGERS = [
    PortableTrigger(name="totals_insert", operation=pgtrigger.Insert, body=added),
    PortableTrigger(
        name="totals_update",
        operation=pgtrigger.UpdateOf(*TOTALLED),
        condition=pgtrigger.AnyChange(*TOTALLED),
        body=moved,
    ),
    PortableTrigger(name="totals_delete", operation=pgtrigger.Delete, body=removed),
    Emptied(name="totals_truncate"),
]


@contextmanager
def suspended(using: str = "default") -> Iterator[None]:
    """For a bulk load on PostgreSQL (bench/run.py): the per-row triggers set aside while it writes (a
    million rows would upsert a million times); the caller rebuilds the totals after (summary.rebuild)."""
    from events.models import Event

    rows = [trigger for trigger in TRIGGERS if isinstance(trigger, PortableTrigger)]
    for trigger in rows:
        trigger.disable(Event, database=using)
    try:
        yield
    finally:
        for trigger in rows:
            trigger.enable(Event, database=using)
