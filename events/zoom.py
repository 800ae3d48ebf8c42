"""Zooming into the timeline's chart: a date range narrows the reader's filter, nothing else.

The range travels in the query string as `range=YYYY-MM-DD~YYYY-MM-DD` (the page's address keeps it,
so a zoomed view can be shared). It is applied by narrowing `date_from` and `date_to` to their
intersection with the range, so the one EventFilter, the per-day totals and the aggregation threshold
work exactly as for any filtered view: once a range holds few enough events, they come one by one.
"""

from __future__ import annotations

import datetime

from django.http import QueryDict

RANGE_PARAM = "range"
RANGE_SEPARATOR = "~"


class BadRange(ValueError):
    pass


def parse_range(value: str) -> tuple[datetime.date, datetime.date]:
    start, separator, end = value.partition(RANGE_SEPARATOR)
    try:
        if not separator:
            raise ValueError
        first, last = datetime.date.fromisoformat(start[:10]), datetime.date.fromisoformat(end[:10])
    except ValueError:
        raise BadRange(f"range must be two dates, YYYY-MM-DD{RANGE_SEPARATOR}YYYY-MM-DD.") from None
    if first > last:
        raise BadRange("The range ends before it starts.")
    return first, last


def narrowed(params: QueryDict) -> QueryDict:
    """The filter's parameters with date_from/date_to narrowed to the range (when there is one).

    A filter date that is not a date is left as it is: the EventFilter reports it as for any view."""
    params = params.copy()
    value = params.pop(RANGE_PARAM, [""])[-1]
    if not value:
        return params
    first, last = parse_range(value)
    for name, bound, pick in (("date_from", first, max), ("date_to", last, min)):
        try:
            given = datetime.date.fromisoformat(params.get(name, ""))
        except ValueError:
            if params.get(name):
                continue
            given = bound
        params[name] = pick(given, bound).isoformat()
    return params


def is_empty(params: QueryDict) -> bool:
    """Whether the narrowed dates leave no day at all (a range outside the filter's own period)."""
    try:
        return datetime.date.fromisoformat(params.get("date_from", "")) > datetime.date.fromisoformat(
            params.get("date_to", "")
        )
    except ValueError:
        return False
