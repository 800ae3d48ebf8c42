from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from timeline.health import healthz

admin.site.site_header = "Tension Timeline — editors"
admin.site.site_title = "Tension Timeline"
# The change list needs the width more than a second copy of the app index.
admin.site.enable_nav_sidebar = False


class SiteIcon(RedirectView):
    """A document that names no icon (the Atom feed or an API answer opened in a browser) makes the browser
    ask for /favicon.ico: it gets the site's icon, whose static URL is read when asked (in production the
    collected files' manifest names it)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", SiteIcon.as_view()),
    path("admin/", admin.site.urls),
    path("", include("readers.urls")),
    path("", include("api.urls")),  # /api/… and the view's GeoJSON and TimelineJS exports
]

# An unreachable database answers 503, whichever layer meets it first (timeline/outage.py).
handler500 = "timeline.errors.server_error"
