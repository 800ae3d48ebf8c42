"""The event list at scale: its count and its date hierarchy."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Min, QuerySet
from django.utils.functional import cached_property

from events.models import EventQuerySet


class EstimatedCountPaginator(Paginator):
    """COUNT(*) of a million rows is a full scan on PostgreSQL: for the unfiltered list, use the
    planner's row estimate (pg_class.reltuples, kept fresh by autovacuum) once the table is large.
    Filtered lists are counted exactly (they use the status, type, country and date indexes).

    Whether a list is filtered is asked of PostgreSQL's plan for it (EXPLAIN, only once the table is
    large): a plain scan of the table with no condition reads every row, anything else does not. The
    list knows this only from its queryset, whoever built it (the admin's filters, search, date
    hierarchy), and a queryset says what it selects only to the database."""

    ESTIMATE_ABOVE = 100_000
    # The keys of a plan node that narrow what it reads (PostgreSQL's EXPLAIN (FORMAT JSON)).
    CONDITIONS = frozenset({"Filter", "Index Cond", "Recheck Cond", "TID Cond", "Join Filter", "One-Time Filter"})

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if isinstance(qs, QuerySet) and connections[qs.db].vendor == "postgresql":
            with connections[qs.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [qs.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] > self.ESTIMATE_ABOVE and self.reads_every_row(qs):
                return int(row[0])
        return super().count

    def reads_every_row(self, qs: QuerySet) -> bool:
        """Whether the plan of the list, joins and order left aside, is a scan of its table alone and
        with no condition: then it counts what the table holds."""
        plan = json.loads(qs.select_related(None).order_by().explain(format="json"))[0]["Plan"]
        return (
            plan.get("Relation Name") == qs.model._meta.db_table
            and "Plans" not in plan
            and not self.CONDITIONS & plan.keys()
        )


class AdminEventQuerySet(EventQuerySet):
    """The change list's queryset: the date hierarchy's list of years or months is found by jumping
    along the date index (the first date on or after each found period, one indexed MIN per period
    that has events) instead of a DISTINCT over every row, and whatever the span of the record."""

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> Any:
        if field_name != "date" or kind not in ("year", "month"):
            return super().dates(field_name, kind, order)

        def next_period(after: datetime.date) -> datetime.date | None:
            first = self.filter(date__gte=after).aggregate(first=Min("date"))["first"]
            if first is None:
                return None
            return datetime.date(first.year, 1, 1) if kind == "year" else datetime.date(first.year, first.month, 1)

        found: list[datetime.date] = []
        period = next_period(datetime.date.min)
        while period is not None:
            found.append(period)
            if period.year == datetime.date.max.year and (kind == "year" or period.month == 12):
                break
            if kind == "year":
                following = datetime.date(period.year + 1, 1, 1)
            else:
                following = datetime.date(period.year + period.month // 12, period.month % 12 + 1, 1)
            period = next_period(following)
        return found if order == "ASC" else found[::-1]
