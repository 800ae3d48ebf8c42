"""`field__any_of=ids`: the rows whose value is one of many, sent to PostgreSQL as one array.

`__in` writes one placeholder per value: for the API's page of 1,000 events each query of its actors,
sources and links carried 1,000 parameters, and psycopg's client-side binding (Django's default) splits
and quotes such a query in Python on every request, about as long as PostgreSQL takes to answer it.
`= ANY(%s)` with the list as a single array parameter costs the same whatever the page's size. Other
databases (SQLite, the embedded default) are asked with `IN`, as `__in` does.
"""

from __future__ import annotations

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


@ForeignObject.register_lookup  # a foreign key keeps lookups of its own: the ids of related rows
@Field.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        # Ids read from the database are already what the column holds: preparing each one through the
        # field (`In` does) is the per-value Python cost this lookup exists to avoid.
        if self._ids():
            return list(self.rhs)
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self._ids():  # anything but plain ids: asked as `__in` asks
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))

    def _ids(self) -> bool:
        return self.rhs_is_direct_value() and all(type(value) is int for value in self.rhs)
