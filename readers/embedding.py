"""What another site needs to embed a view of the record: the embed's address, its <iframe> code
and its title. One builder for the "Embed this view" panel and for the oEmbed answer."""

from __future__ import annotations

from html import escape

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

# The iframe's size when the host does not say: the chart and its index need about this much height.
EMBED_WIDTH = 800
EMBED_HEIGHT = 600


def with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def embed_url(request: HttpRequest, query: str) -> str:
    return request.build_absolute_uri(with_query(reverse("events:embed"), query))


def timeline_url(request: HttpRequest, query: str) -> str:
    return request.build_absolute_uri(with_query(reverse("events:timeline"), query))


def embed_title(summary: list[str]) -> str:
    return f"{settings.SITE_NAME}: {' · '.join(summary) if summary else 'all events'}"


def iframe_code(src: str, title: str, *, width: int | str = "100%", height: int = EMBED_HEIGHT) -> str:
    """The <iframe> a host pastes: no script of ours runs in the host's page."""
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="{width}" height="{height}" '
        'style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
