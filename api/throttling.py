"""Anonymous reads throttled per client address, at a rate read from settings (API_THROTTLE_RATE).

DRF's own throttles read their rate once, at import; this one reads it per request, so an operator's
setting (and a test's override) takes effect without a restart of the class machinery.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class ReaderThrottle(AnonRateThrottle):
    scope = "reader"

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATE or None
