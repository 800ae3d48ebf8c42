"""Headers whitenoise adds to the static files it serves (it answers before Django's middleware runs)."""

from __future__ import annotations

from csp.constants import HEADER
from csp.utils import build_policy


def add_static_headers(headers, path: str, url: str) -> None:
    # The site's policy as django-csp builds it for pages: an SVG or HTML file opened on its own is a document.
    headers[HEADER] = build_policy()
