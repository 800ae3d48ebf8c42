"""Conditional requests for the API (ETag/Last-Modified): a client that polls pays a 304.

They read the one "record changed" clock, events.selectors.data_version(), as the readers' page cache
does, and once a request with it (readers/caching.py, version_seen_by): one primary-key query, moved by
every write readers could see. An anonymous request meets that cache first (api/urls.py), which gives the
same ETag; this answers the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import condition

from readers.caching import named_etag, response_etag, version_seen_by


def conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view's get(): 304 Not Modified while If-None-Match or If-Modified-Since still hold, for a
    request that succeeds. A request the view refuses (400, 404) gets its refusal, preconditions or not
    (RFC 9110 §13.2.1), and no validators."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        version = version_seen_by(request)
        # The answer depends on the version and on the whole URL (filters, cursor, page size).
        etag = response_etag(version, request)
        validated = condition(
            etag_func=lambda *args, **kwargs: etag,
            last_modified_func=lambda *args, **kwargs: version.changed_at,
        )
        if named_etag(request, etag):
            # Only a successful answer of ours carried this ETag, for this URL and version: the 304 needs
            # nothing but the clock's one query.
            return validated(view)(request, *args, **kwargs)
        # Otherwise the request must succeed before a precondition may answer it (If-Modified-Since alone,
        # If-None-Match: *): the view runs, and a streamed body that is not sent is never produced.
        response = view(request, *args, **kwargs)
        if not 200 <= response.status_code < 300:
            return response
        return validated(lambda *args, **kwargs: response)(request, *args, **kwargs)

    wrapper.conditional = True  # read by is_conditional (the schema documents 304 and the validators)
    return wrapper


def is_conditional(view) -> bool:
    """Whether the view's get() answers conditional requests (decorated with `conditional`; method_decorator
    carries the mark over to the method)."""
    return getattr(getattr(view, "get", None), "conditional", False)
