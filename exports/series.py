"""Figures of a view as CSV tables beside the events' export: the tension index (one row where it changes).

The figures are the API's (events/summary.py view_index), so a spreadsheet and a script read the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from events.tension import IndexPoint

INDEX_COLUMNS = ("day", "index")


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header and rows as CSV lines (RFC 4180: comma, CRLF, quotes where needed)."""
    for row in (header, *rows):
        out = io.StringIO()
        csv.writer(out).writerow(row)
        yield out.getvalue()


def index_csv(points: list[IndexPoint]) -> Iterator[str]:
    """The index as a step function: each row's value holds until the next row's day."""
    return csv_lines(INDEX_COLUMNS, ((point.day.isoformat(), point.value) for point in points))
