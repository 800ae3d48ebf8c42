"""Anonymous reads throttled per client address, at a rate read from settings (API_THROTTLE_RATE; empty: off).

DRF's own throttles read their rate once, at import; this one reads it per request, so an operator's
setting (and a test's override) takes effect without a restart of the class machinery.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from timeline.client_ip import client_ip


class ReaderThrottle(AnonRateThrottle):
    scope = "reader"

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATE or None

    def get_ident(self, request) -> str:
        # The client as the rest of the site sees it (TRUSTED_PROXY_COUNT), not each proxy's address.
        return client_ip(request)
