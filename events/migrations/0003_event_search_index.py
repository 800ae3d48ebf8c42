from django.db import migrations

# Superseded by 0006, which indexes a stored search_vector column instead and drops this index.
CREATE = (
    "CREATE INDEX IF NOT EXISTS event_search_gin ON events_event USING gin "
    "(to_tsvector('english'::regconfig, (COALESCE(title, '')::text || ' ' || COALESCE(summary, ''))))"
)
DROP = "DROP INDEX IF EXISTS event_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    """Full-text search is a PostgreSQL feature; SQLite searches with a plain contains instead."""

    dependencies = [("events", "0002_event_taxonomy")]
    operations = [migrations.RunPython(create_index, drop_index)]
