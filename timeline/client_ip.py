"""The address a login attempt came from, for django-axes' throttling."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the address the outermost one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the Nth entry
    from the right, N the number of trusted proxies, is the client; anything further left was written
    by the client and could be forged to dodge the throttle.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
