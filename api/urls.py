"""/api/… (the JSON API, its OpenAPI schema and documentation page) and the view's GeoJSON and TimelineJS
exports beside /export.csv. Every path here is a public contract: shared links and mirrors depend on it.

Every read of the record is cached for anonymous clients per data version (readers/caching.py), keyed on
Accept too (GeoJSON answers under the media type asked for). A cached answer or a 304 does not reach the
view, so it is not throttled: the throttle guards the database, which such an answer does not touch."""

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView, SpectacularSwaggerSplitView

from readers.caching import cached_for_readers

from . import views

app_name = "api"


def cached(view: type[views.APIView]) -> Callable[..., HttpResponse]:
    return cached_for_readers(view.as_view(), varies_on=("Accept",))


urlpatterns = [
    path("api/", views.ApiRoot.as_view(), name="root"),
    path("api/events/", cached(views.EventList), name="events"),
    path("api/events/<slug:slug>/", cached(views.EventDetail), name="event"),
    path("api/actors/", cached(views.ActorList), name="actors"),
    path("api/types/", cached(views.EventTypeList), name="types"),
    path("api/countries/", cached(views.CountryList), name="countries"),
    path("api/regions/", cached(views.RegionList), name="regions"),
    path("api/tension/", cached(views.TensionIndex), name="tension"),
    path("api/dyads/<slug:a>/<slug:b>/", cached(views.DyadDetail), name="dyad"),
    path("api/trends/", cached(views.TrendList), name="trends"),
    path("api/changes/", cached(views.ChangeFeed), name="changes"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema.json", SpectacularJSONAPIView.as_view(), name="schema-json"),
    # The split view serves its start-up script from a URL of its own: no inline script (strict CSP).
    # Our page around it (templates/api/docs.html) gives it a language and readable contrast.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema-json", template_name="api/docs.html"),
        name="docs",
    ),
    path("export.geojson", cached(views.GeoJSONExport), name="geojson"),
    path("export.timeline.json", cached(views.TimelineJSExport), name="timelinejs"),
    # Any other /api/…/ address (such as /api/events/<not a slug>/) is the API's own 404, in JSON. Only
    # with the trailing slash, so that /api/events still redirects to /api/events/ (APPEND_SLASH).
    re_path(r"^api/[\s\S]*/\Z", views.not_found),
]
