"""Figures as CSV tables beside the events' export: a view's tension index (one row where it changes) and the
latest month's trends (one row per scope). The figures are the API's (events/summary.py view_index,
events/trends.py latest_trends), so a spreadsheet and a script read the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from events.tension import IndexPoint
from events.trends import TrendRow

INDEX_COLUMNS = ("day", "index")
TREND_COLUMNS = ("scope", "key", "name", "month", "tension", "previous", "change", "threshold", "trend")


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header and rows as CSV lines (RFC 4180: comma, CRLF, quotes where needed)."""
    for row in (header, *rows):
        out = io.StringIO()
        csv.writer(out).writerow(row)
        yield out.getvalue()


def index_csv(points: list[IndexPoint]) -> Iterator[str]:
    """The index as a step function: each row's value holds until the next row's day."""
    return csv_lines(INDEX_COLUMNS, ((point.day.isoformat(), point.value) for point in points))


def trends_csv(rows: list[TrendRow]) -> Iterator[str]:
    """One row per scope (the record, a region, a country, a pair: `key` its slug, or the pair's two)."""
    return csv_lines(
        TREND_COLUMNS,
        (
            (
                row.scope,
                row.key,
                row.name,
                row.trend.month.isoformat(),
                row.trend.tension,
                row.trend.previous,
                row.trend.change,
                row.trend.threshold,
                row.trend.trend,
            )
            for row in rows
        ),
    )
