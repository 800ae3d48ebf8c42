from django.urls import path

from . import views, views_export

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
