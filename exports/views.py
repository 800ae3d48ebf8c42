"""Data out: /export.csv and /feed/, over the timeline's one filter. Thin: the work is in csv.py and atom.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.views.decorators.http import require_safe

from events import selectors
from events.filters import EventFilter, sort_order
from events.summary import view_index
from events.trends import latest_trends
from exports.atom import EventFeed
from exports.csv import export_csv, export_filename
from exports.series import index_csv, trends_csv
from readers.caching import cached_for_readers


def invalid_filter(filterset: EventFilter, *, what: str) -> HttpResponse:
    """400 with one line per field and its error: never an empty or silently unfiltered answer."""
    lines = [f"The {what} cannot be made: the query has an invalid filter.", ""]
    for field, errors in filterset.errors.items():
        label = filterset.form.fields[field].label if field in filterset.form.fields else field
        lines += [f"{field} ({label}): {error}" for error in errors]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


FilteredView = Callable[[HttpRequest, EventFilter], HttpResponse]


def over_the_filter(*, what: str) -> Callable[[FilteredView], Callable[[HttpRequest], HttpResponse]]:
    """A view of the timeline's filtered events: it is given the validated filter, an invalid query gets a 400."""

    def decorate(view: FilteredView) -> Callable[[HttpRequest], HttpResponse]:
        @wraps(view)
        def filtered(request: HttpRequest) -> HttpResponse:
            filterset = selectors.event_filter(params=request.GET)
            if not filterset.is_valid():
                return invalid_filter(filterset, what=what)
            return view(request, filterset)

        return filtered

    return decorate


@cached_for_readers
@require_safe
@over_the_filter(what="CSV export")
def export(request: HttpRequest, filterset: EventFilter) -> HttpResponse:
    ordering = sort_order(filterset.form.cleaned_data.get("sort"))
    rows = export_csv(filterset.qs, ordering=ordering, base_url=request.build_absolute_uri("/"))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8; header=present")
    filename = export_filename(cleaned_data=filterset.form.cleaned_data)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@cached_for_readers
@require_safe
@over_the_filter(what="index CSV")
def tension_csv(request: HttpRequest, filterset: EventFilter) -> HttpResponse:
    """The tension index of the view (the same figures as /api/tension/), one row where it changes."""
    response = HttpResponse(index_csv(view_index(filterset)), content_type="text/csv; charset=utf-8; header=present")
    response["Content-Disposition"] = 'attachment; filename="tension-index.csv"'
    return response


@cached_for_readers
@require_safe
def trends_csv_export(request: HttpRequest) -> HttpResponse:
    """The latest month's trends (the same rows as /trends/ and /api/trends/)."""
    _, rows = latest_trends()
    response = HttpResponse(trends_csv(rows), content_type="text/csv; charset=utf-8; header=present")
    response["Content-Disposition"] = 'attachment; filename="tension-trends.csv"'
    return response


@cached_for_readers
@require_safe
@over_the_filter(what="feed")
def feed(request: HttpRequest, filterset: EventFilter) -> HttpResponse:
    return EventFeed()(request, filterset=filterset)
