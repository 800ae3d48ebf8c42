from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Tension Timeline — editors"
admin.site.site_title = "Tension Timeline"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("events.urls")),
]
