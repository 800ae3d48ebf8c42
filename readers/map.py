"""The map of a filtered view (/map/?<any timeline query>). Thin: readers/figures/map.py builds the figure."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from events import selectors
from events.filters import describe
from readers.caching import cached_for_readers
from readers.figures.map import build_map
from readers.views import EVENTS_PER_PAGE, query_without

# Rows of the text alternative under the map (a screen reader's way through the same events): a page
# of the timeline's table, whose further pages list the rest.
MAP_TABLE_ROWS = EVENTS_PER_PAGE
# The period form on the map page sets these; every other filter of the view rides along unchanged.
PERIOD_FIELDS = ("date_from", "date_to")


@cached_for_readers
def event_map(request: HttpRequest) -> HttpResponse:
    filterset = selectors.event_filter(params=request.GET)
    events = filterset.qs
    event_map = build_map(events)
    query = query_without(request.GET, "page")
    # The text alternative: the table of the timeline (its first page) over the located events.
    table = Paginator(events.filter(latitude__isnull=False).for_display(), MAP_TABLE_ROWS)
    table.count = event_map.located_count  # counted already
    kept = [(name, value) for name, value in request.GET.lists() if name not in (*PERIOD_FIELDS, "page")]
    return render(
        request,
        "events/map.html",
        {
            "filter": filterset,
            "map": event_map,
            "page": table.page(1),
            "table_rows": MAP_TABLE_ROWS,
            "query": query,
            "summary": describe(filterset),
            "kept_params": [(name, value) for name, values in kept for value in values],
        },
    )
