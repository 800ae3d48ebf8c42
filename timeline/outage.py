"""A database that cannot be reached: 503 with Retry-After, in seconds, logged once per failed request.

Requests wait at most DATABASE_CONNECT_TIMEOUT for a connection (settings; psycopg's pool for
PostgreSQL). When that fails the middleware answers the site's 503 page, which needs no database, and
the client is told when to retry. Nothing is kept between requests: the next one asks the pool again,
so the site recovers by itself once the database answers.

The middleware sees what a view (or its template) raises; what the middleware around it raises, such
as the session's save, reaches Django's 500 handler, which answers the same 503 (timeline/errors.py).
A streamed response (the CSV export) is started here, its first piece read before the status goes out,
so that a database unreachable from the start is a 503 too. One that loses its database mid-way cannot
change its status any more: the exception propagates to the server, which aborts the connection, so the
client sees an incomplete transfer (gunicorn never sends the chunked body's end).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import chain

from django.db import InterfaceError, OperationalError
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template import loader

logger = logging.getLogger("timeline.outage")

# What a database that cannot be reached raises (connection refused, timed out, lost mid-query).
OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
OUTAGE_STATUS = 503


def outage_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 page (no database needed) with Retry-After, and the one log line for this request."""
    logger.warning(
        "database unavailable: %s %s answered %s (%s: %s)",
        request.method,
        request.path,
        OUTAGE_STATUS,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    response = HttpResponse(loader.render_to_string("503.html"), status=OUTAGE_STATUS)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A file is a file (and keeps the server's sendfile path); a generator may need the database.
        if isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse):
            if not response.is_async:
                pieces = iter(response.streaming_content)
                try:
                    first = next(pieces, b"")
                except OUTAGE_ERRORS as error:
                    return outage_response(request, error)
                response.streaming_content = chain([first], pieces)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS):
            return outage_response(request, exception)
        return None


class NotAnOutage(logging.Filter):
    """Drops Django's own report of a 503: outage_response has logged that request already, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "django.request" and getattr(record, "status_code", None) == OUTAGE_STATUS)
