from django.contrib import admin
from django.urls import include, path

from timeline.health import healthz

admin.site.site_header = "Tension Timeline — editors"
admin.site.site_title = "Tension Timeline"
# The change list needs the width more than a second copy of the app index.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("readers.urls")),
    path("", include("api.urls")),  # /api/… and the view's GeoJSON and TimelineJS exports
]

# An unreachable database answers 503, whichever layer meets it first (timeline/outage.py).
handler500 = "timeline.errors.server_error"
