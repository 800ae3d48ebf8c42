"""The search vector (Event.search_vector), kept by PostgreSQL from the title and summary on every insert
and every update of either, from any code path (the admin, services, the CSV import's bulk writes, raw
SQL): a trigger, not save(). Listed in Event.Meta.triggers; the GIN index on the column (migration 0006)
is what search reads. SQLite has no tsvector: its search is a plain text match (EventQuerySet.search).
"""

from __future__ import annotations

import pgtrigger

VECTOR = pgtrigger.UpdateSearchVector(
    name="search_vector",
    vector_field="search_vector",
    document_fields=["title", "summary"],
    config_name="pg_catalog.english",
)
