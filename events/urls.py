from django.urls import path

from . import views, views_embed, views_export, views_map

app_name = "events"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("events/<slug:slug>/", views.event_detail, name="detail"),
    path("tension/", views.tension_window, name="tension_window"),
    path("chart.json", views.chart_json, name="chart_json"),
    path("about/", views.about, name="about"),
    path("export.csv", views_export.export, name="export"),
    path("feed/", views_export.feed, name="feed"),
]

# Readers beyond the page (issue 13): the map of a view, and the view embedded in other sites.
urlpatterns += [
    path("map/", views_map.event_map, name="map"),
    path("embed/", views_embed.embed, name="embed"),
    path("oembed/", views_embed.oembed, name="oembed"),
]
