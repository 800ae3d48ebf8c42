"""Serve plotly.js from the installed plotly package, so the browser always gets the bundle that
matches `plotly.offline.get_plotlyjs_version()` and no CDN is needed.

Only plotly.min.js is exposed (as static/vendor/plotly/plotly.min.js): the package's data directory
also holds a widget bundle and sample data sets that collectstatic has no reason to copy.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
PLOTLY_PREFIX = "vendor/plotly"
PLOTLY_STATIC_PATH = f"{PLOTLY_PREFIX}/{PLOTLY_FILE}"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=PLOTLY_DIR)
        self.storage.prefix = PLOTLY_PREFIX  # collectstatic copies it to STATIC_ROOT/vendor/plotly/

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path != PLOTLY_STATIC_PATH:
            # No match is [] whatever find_all says, as Django's finders answer: finders.find() turns a
            # None into [None], which the static view then takes for a file (a 500 instead of a 404).
            return []
        match = str(PLOTLY_DIR / PLOTLY_FILE)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage
