"""Finding the installed apps' static files, less those no page of ours serves.

collectstatic copies, hashes and compresses (gzip and brotli) every file the finders list, and brotli at
its best is slow: DRF's browsable-API assets (we render JSON only) and ReDoc's bundle (the API's docs are
Swagger UI's) were a third of what it read, for nothing. They are left out of the list collectstatic
reads; nothing links to them.
"""

from django.contrib.staticfiles.finders import AppDirectoriesFinder

UNSERVED = [
    "rest_framework",  # the browsable API's Bootstrap, jQuery and fonts: REST_FRAMEWORK renders JSON only
    "redoc",  # drf_spectacular_sidecar's ReDoc: templates/api/docs.html is Swagger UI
]


class ServedAppDirectoriesFinder(AppDirectoriesFinder):
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNSERVED])
