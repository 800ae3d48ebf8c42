"""The readers' URLs. The namespace stays "events": URL names are a contract with templates and shared links."""

from django.urls import path

from exports import views as exports
from readers import dyads, embed, map, views

app_name = "events"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("events/<slug:slug>/", views.event_detail, name="detail"),
    path("events/<slug:slug>/sources/<int:source_id>/copy/", views.source_copy, name="source_copy"),
    path("tension/", views.tension_window, name="tension_window"),
    path("dyads/<slug:a>/<slug:b>/", dyads.dyad_page, name="dyad"),
    path("trends/", views.trends, name="trends"),
    path("chart.json", views.chart_json, name="chart_json"),
    path("about/", views.about, name="about"),
    path("map/", map.event_map, name="map"),
    path("embed/", embed.embed, name="embed"),
    path("oembed/", embed.oembed, name="oembed"),
    # The view's CSV and Atom feed sit beside the page they export (exports/).
    path("export.csv", exports.export, name="export"),
    path("tension.csv", exports.tension_csv, name="tension_csv"),
    path("trends.csv", exports.trends_csv_export, name="trends_csv"),
    path("feed/", exports.feed, name="feed"),
]
