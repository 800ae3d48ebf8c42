"""A URLconf for the error-page and header tests: the site's own, plus views that fail on purpose."""

from csp.decorators import csp_replace
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_exempt

from timeline.urls import handler500
from timeline.urls import urlpatterns as site_urlpatterns


def fails(request):
    raise ValueError("a bug")


def forbidden(request):
    raise PermissionDenied


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1, port 1 failed: Connection refused")


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["https://partner.example"]})
def embeddable(request):
    return HttpResponse("an embed")


urlpatterns = [
    path("test/fails/", fails),
    path("test/forbidden/", forbidden),
    path("test/database-gone/", database_gone),
    path("test/embeddable/", embeddable),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
