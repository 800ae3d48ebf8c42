"""/api/… (the JSON API, its OpenAPI schema and documentation page) and the view's GeoJSON and TimelineJS
exports beside /export.csv. Every path here is a public contract: shared links and mirrors depend on it."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("api/", views.ApiRoot.as_view(), name="root"),
    path("api/events/", views.EventList.as_view(), name="events"),
    path("api/events/<slug:slug>/", views.EventDetail.as_view(), name="event"),
    path("api/actors/", views.ActorList.as_view(), name="actors"),
    path("api/types/", views.EventTypeList.as_view(), name="types"),
    path("api/countries/", views.CountryList.as_view(), name="countries"),
    path("api/regions/", views.RegionList.as_view(), name="regions"),
    path("api/tension/", views.TensionIndex.as_view(), name="tension"),
    path("api/changes/", views.ChangeFeed.as_view(), name="changes"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema.json", SpectacularJSONAPIView.as_view(), name="schema-json"),
    # The split view serves its start-up script from a URL of its own: no inline script (strict CSP).
    # Our page around it (templates/api/docs.html) gives it a language and readable contrast.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema-json", template_name="api/docs.html"),
        name="docs",
    ),
    path("export.geojson", views.GeoJSONExport.as_view(), name="geojson"),
    path("export.timeline.json", views.TimelineJSExport.as_view(), name="timelinejs"),
    # Any other /api/…/ address (such as /api/events/<not a slug>/) is the API's own 404, in JSON. Only
    # with the trailing slash, so that /api/events still redirects to /api/events/ (APPEND_SLASH).
    re_path(r"^api/[\s\S]*/\Z", views.not_found),
]
