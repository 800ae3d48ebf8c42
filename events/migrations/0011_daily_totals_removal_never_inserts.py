# Removing an event from the per-day totals (migration 0010) was an upsert with a negative count: when the
# total's row was already gone (a `flush` empties the totals before the events, as the test database does
# between tests), the removal inserted a row of -1 events, and the next event on that key summed to 0 — a
# view of N events then showed "0 events" with a span. A removal now only updates a row that exists (and
# prunes it at zero); the totals are rebuilt from the events, mending any such row.
# Frozen here (not imported from 0010): a migration must replay the same way forever.
from django.db import migrations

PUBLIC = "('published', 'retracted')"
LEVELS = [
    (
        "events_dailytotal",
        ", country_key",
        ", COALESCE({row}.location_country_id, 0)",
        " AND country_key = COALESCE(OLD.location_country_id, 0)",
    ),
    ("events_dailytypetotal", "", "", ""),
]
ADD = """
INSERT INTO {table} (day, event_type_id{columns}, status, events, escalation_tenths)
SELECT NEW.date, NEW.event_type_id{values}, NEW.status, 1, CAST(ROUND(NEW.escalation * 10) AS BIGINT)
 WHERE NEW.status IN __PUBLIC__
ON CONFLICT (day, event_type_id{columns}, status) DO UPDATE
   SET events = {table}.events + excluded.events,
       escalation_tenths = {table}.escalation_tenths + excluded.escalation_tenths;""".replace("__PUBLIC__", PUBLIC)
# 0010's removal, kept for going backward only.
OLD_REMOVE = """
INSERT INTO {table} (day, event_type_id{columns}, status, events, escalation_tenths)
SELECT OLD.date, OLD.event_type_id{values}, OLD.status, -1, -CAST(ROUND(OLD.escalation * 10) AS BIGINT)
 WHERE OLD.status IN __PUBLIC__
ON CONFLICT (day, event_type_id{columns}, status) DO UPDATE
   SET events = {table}.events + excluded.events,
       escalation_tenths = {table}.escalation_tenths + excluded.escalation_tenths;""".replace("__PUBLIC__", PUBLIC)
REMOVE = """
UPDATE {table} SET events = events - 1, escalation_tenths = escalation_tenths - CAST(ROUND(OLD.escalation * 10) AS BIGINT)
 WHERE day = OLD.date AND event_type_id = OLD.event_type_id{matching} AND status = OLD.status;"""
PRUNE = """
DELETE FROM {table}
 WHERE day = OLD.date AND event_type_id = OLD.event_type_id{matching} AND status = OLD.status AND events <= 0;"""
TOTALLED = "date, event_type_id, location_country_id, status, escalation"
REBUILD = [f"DELETE FROM {table}" for table, *_ in LEVELS] + [
    f"""INSERT INTO {table} (day, event_type_id{columns}, status, events, escalation_tenths)
SELECT date, event_type_id{values.format(row="events_event")}, status, COUNT(*), SUM(CAST(ROUND(escalation * 10) AS BIGINT))
  FROM events_event WHERE status IN {PUBLIC}
 GROUP BY date, event_type_id{values.format(row="events_event")}, status"""
    for table, columns, values, _ in LEVELS
]


def added() -> str:
    return "\n".join(ADD.format(table=t, columns=c, values=v.format(row="NEW")) for t, c, v, _ in LEVELS)


def removed(removal: str) -> str:
    statements = []
    for table, columns, values, matching in LEVELS:
        statements.append(
            removal.format(table=table, columns=columns, values=values.format(row="OLD"), matching=matching)
        )
        statements.append(PRUNE.format(table=table, matching=matching))
    return "\n".join(statements)


def postgresql(removal: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION events_dailytotal_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.date, OLD.event_type_id, OLD.location_country_id, OLD.status, OLD.escalation)
       IS NOT DISTINCT FROM (NEW.date, NEW.event_type_id, NEW.location_country_id, NEW.status, NEW.escalation) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN {removed(removal)} END IF;
  IF TG_OP <> 'DELETE' THEN {added()} END IF;
  RETURN NULL;
END $$"""
    ]


def sqlite(removal: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS events_dailytotal_delete",
        "DROP TRIGGER IF EXISTS events_dailytotal_update",
        f"CREATE TRIGGER events_dailytotal_delete AFTER DELETE ON events_event BEGIN {removed(removal)} END",
        f"CREATE TRIGGER events_dailytotal_update AFTER UPDATE OF {TOTALLED} ON events_event "
        f"BEGIN {removed(removal)} {added()} END",
    ]


def replace_removal(removal: str):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        builder = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
        if builder is None:
            raise RuntimeError(f"No triggers for the per-day totals on {vendor}.")
        for statement in builder(removal) + REBUILD:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("events", "0010_issue12_daily_totals")]

    operations = [migrations.RunPython(replace_removal(REMOVE), replace_removal(OLD_REMOVE))]
