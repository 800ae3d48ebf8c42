"""/healthz for load balancers: 200 when the database answers, 503 when it does not; cheap and never cached."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from timeline.outage import OUTAGE_ERRORS, outage_response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except OUTAGE_ERRORS as error:
        response = outage_response(request, error)
        response.content = b"database unavailable\n"
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
