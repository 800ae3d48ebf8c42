"""Conditional requests for the API (ETag/Last-Modified): a client that polls pays a 304.

They read the one "record changed" clock, events.selectors.data_version(), as the readers' page cache
does (readers/caching.py): one primary-key query per request, moved by every write readers could see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import condition

from events.selectors import data_version


def conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view's get(): 304 Not Modified while If-None-Match or If-Modified-Since still hold."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        version = data_version()
        # The answer depends on the version and on the whole URL (filters, cursor, page size).
        etag = hashlib.sha256(f"{version.tag} {request.get_full_path()}".encode()).hexdigest()[:32]
        validated = condition(
            etag_func=lambda *args, **kwargs: etag,
            last_modified_func=lambda *args, **kwargs: version.changed_at,
        )
        return validated(view)(request, *args, **kwargs)

    return wrapper
