"""Readers' pages. Thin: the filter, the chart, the index and the chains are built elsewhere."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe

from events import selectors
from events.dyads import event_pairs
from events.filters import SORTS, EventFilter, describe
from events.models import EventType
from events.summary import summary_for
from events.tension import WINDOW_DAYS, index_peaks, weighted_sum, window_events, window_for
from events.trends import TREND_FLOOR, TREND_SENSITIVITY, Scope, latest_trends
from events.zoom import RANGE_PARAM, BadRange, is_empty, narrowed
from readers.caching import cached_for_readers
from readers.figures.chart import build_chart

EVENTS_PER_PAGE = 50
BACK_QUERY_MAX_LENGTH = 2000
CHOOSE_A_DAY = "Choose a day on the tension index (end=YYYY-MM-DD)."
WINDOW_EVENTS_SHOWN = 100
# The events the chart in words lists by name, the most escalating first; a link leads to all of them.
CHART_TEXT_EVENTS = 5
# Which sort a column header switches to: the column's natural order first, then its reverse.
COLUMN_SORTS = {"date": ("-date", "date"), "escalation": ("-escalation", "escalation"), "title": ("title", "title")}


def query_without(params: QueryDict, *names: str) -> str:
    """The query string minus some keys: the filter as a link (for the export, the feed, pages)."""
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def query_and(query: str, part: str) -> str:
    """A query string with one more `name=value` part (the filter kept, another sort or verification)."""
    return f"{query}&{part}" if query else part


def view_query(raw: str) -> str:
    """The timeline view a reader came from, as a query string holding only the filter's names and
    the page: the event page's way back (`?back=…`) never carries anything else."""
    names = {*EventFilter.base_filters, "page"}
    params = QueryDict(raw[:BACK_QUERY_MAX_LENGTH])
    kept = QueryDict(mutable=True)
    for name, values in params.lists():
        if name in names:
            kept.setlist(name, values)
    return kept.urlencode()


@cached_for_readers
def timeline(request: HttpRequest) -> HttpResponse:
    filterset = selectors.event_filter(params=request.GET)
    events = filterset.qs
    query = query_without(request.GET, "page")
    chart = build_chart(events, query=query, summary=summary_for(filterset), weighting=filterset.weighting())
    paginator = Paginator(events.for_display(), EVENTS_PER_PAGE)
    paginator.count = chart.event_count  # counted already: a second COUNT(*) costs a scan at scale
    page = paginator.get_page(request.GET.get("page"))
    current_sort = filterset.form.cleaned_data.get("sort") if filterset.is_valid() else None
    current_sort = current_sort or "-date"
    unsorted = query_without(request.GET, "page", "sort")
    sort_links = {}
    for column, (first, second) in COLUMN_SORTS.items():
        target = second if current_sort == first else first
        sort_links[column] = {
            "href": "?" + query_and(unsorted, f"sort={target}"),
            "active": current_sort.lstrip("-") == column,
            "descending": current_sort.startswith("-"),
        }
    by_escalation = query_and(unsorted, "sort=-escalation")
    # "Confirmed only" one click away, as a link that keeps the rest of the filter.
    any_verification = query_without(request.GET, "page", "verification")
    verification_links = {
        "confirmed_only": request.GET.get("verification") == "confirmed",
        "confirmed": query_and(any_verification, "verification=confirmed"),
        "any": any_verification,
    }
    return render(
        request,
        "events/timeline.html",
        {
            "verification_links": verification_links,
            "filter": filterset,
            "chart": chart,
            "page": page,
            "query": query,
            "page_query": query_without(request.GET, "page"),
            "summary": describe(filterset),
            "sort_links": sort_links,
            "sort_label": SORTS[current_sort][0],
            "peaks": index_peaks(chart.index),
            "top_events": selectors.most_escalating(events, count=CHART_TEXT_EVENTS) if chart.event_count else [],
            "by_escalation": by_escalation,
            "now": selectors.tension_now(filterset=filterset, totals=chart.totals),
            "record_region": settings.RECORD_REGION,
            "window_days": WINDOW_DAYS,
            "back_query": view_query(request.GET.urlencode()),
        },
    )


@cached_for_readers
@require_safe
def chart_json(request: HttpRequest) -> JsonResponse:
    """The events panel of the chart for the filter narrowed to a zoomed range (events/zoom.py): one
    marker per event once the range holds few enough, aggregated above that."""
    try:
        params = narrowed(request.GET)
    except BadRange as error:
        return JsonResponse({"errors": {RANGE_PARAM: [str(error)]}}, status=400)
    if is_empty(params):
        return JsonResponse({"traces": [], "aggregated": False, "period": None, "event_count": 0})
    filterset = selectors.event_filter(params=params)
    if not filterset.is_valid():
        return JsonResponse({"errors": filterset.errors.get_json_data()}, status=400)
    query = query_without(params, "page")
    chart = build_chart(filterset.qs, query=query, summary=summary_for(filterset), weighting=filterset.weighting())
    return JsonResponse(
        {
            "traces": [trace for trace in chart.figure["data"] if trace["yaxis"] == "y"],
            "aggregated": chart.aggregated,
            "period": chart.period,
            "event_count": chart.event_count,
        }
    )


@cached_for_readers
def tension_window(request: HttpRequest) -> HttpResponse:
    """The events behind one point of the tension index: the 30 days ending on `end`."""
    filterset = selectors.event_filter(params=request.GET)
    back = query_without(request.GET, "end")
    context = {"filter": filterset, "window_days": WINDOW_DAYS, "back": back, "back_query": view_query(back)}
    try:
        end = datetime.date.fromisoformat(request.GET.get("end", "")[:10])
    except ValueError:
        return render(request, "events/tension_window.html", context | {"error": CHOOSE_A_DAY})
    if end.toordinal() <= WINDOW_DAYS:  # the window would start before 1 January of year 1
        return render(request, "events/tension_window.html", context | {"error": CHOOSE_A_DAY})
    weighting = filterset.weighting()
    events = window_events(filterset.qs, end, weighting)
    totals = events.aggregate(n=Count("id"), total=weighted_sum(weighting))
    context |= {
        "start": window_for(end)[0],
        "end": end,
        "events": events.for_display()[:WINDOW_EVENTS_SHOWN],
        "count": totals["n"],
        "total": totals["total"] or 0,
        "rule": weighting.describe(),
    }
    return render(request, "events/tension_window.html", context)


@cached_for_readers
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_for_reader(slug=slug, user=request.user)
    upstream, downstream = selectors.reaction_chains(event, include_unpublished=request.user.is_staff)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "upstream": upstream,
            "downstream": downstream,
            "pairs": event_pairs(event),
            "back_query": view_query(request.GET.get("back", "")),
        },
    )


@cached_for_readers
def source_copy(request: HttpRequest, slug: str, source_id: int) -> HttpResponse:
    """Our copy of the text of a public event's source whose page is gone (events.selectors.kept_copy)."""
    source, snapshot = selectors.kept_copy(slug=slug, source_id=source_id)
    response = render(request, "events/source_copy.html", {"source": source, "snapshot": snapshot})
    response["X-Robots-Tag"] = "noindex"  # the publisher's text, kept as evidence: not for search engines
    return response


@cached_for_readers
def about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/about.html",
        {
            "event_types": EventType.objects.order_by("category", "-default_escalation", "name"),
            "categories": EventType.Category.choices,
            "window_days": WINDOW_DAYS,
            "trend_sensitivity": TREND_SENSITIVITY,
            "trend_floor": TREND_FLOOR,
        },
    )


@cached_for_readers
def trends(request: HttpRequest) -> HttpResponse:
    """The latest month's trend of the whole record, each region, each country and each pair of actors."""
    month, rows = latest_trends()
    return render(request, "events/trends.html", {"month": month, "rows": rows, "scopes": Scope})
