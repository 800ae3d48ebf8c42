"""A trigram index, declared on the model like any other so that makemigrations writes it.

On PostgreSQL it is a GIN index of pg_trgm's trigrams (operator class gin_trgm_ops), which the `%`
similarity operator uses (events.duplicates finds similar titles with it; the migration that adds it
creates the extension first). SQLite has neither GIN nor pg_trgm: there the same declaration makes a
plain index of the same columns, so that one migration, and any later rebuild of the table, serves both.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement
from django.db.models import Index, Model

OPCLASS = "gin_trgm_ops"


class TrigramIndex(GinIndex):
    def create_sql(
        self, model: type[Model], schema_editor: BaseDatabaseSchemaEditor, using: str = "", **kwargs
    ) -> Statement:
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return Index(fields=self.fields, name=self.name).create_sql(model, schema_editor, **kwargs)
