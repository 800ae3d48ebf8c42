"""The 500 handler: an unreachable database is a 503 (timeline/outage.py), anything else the 500 page."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from timeline.outage import OUTAGE_ERRORS, outage_response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while the exception is being handled, so it is still in sys.exc_info().
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGE_ERRORS):
        return outage_response(request, error)
    return defaults.server_error(request)
