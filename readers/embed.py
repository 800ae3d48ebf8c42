"""The embeddable view (/embed/?<any timeline query>) and its oEmbed endpoint (/oembed/?url=…).

The embed is the one page another site may frame: its Content-Security-Policy's frame-ancestors is
replaced by EMBED_FRAME_ANCESTORS (any site when empty) and X-Frame-Options is not sent. It reads no
cookie and sets none, so a reader's session never reaches a host's page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from events import selectors
from events.filters import describe
from events.summary import summary_for
from events.tension import WINDOW_DAYS
from readers.caching import cached_for_readers
from readers.embedding import EMBED_HEIGHT, EMBED_WIDTH, embed_title, embed_url, iframe_code, timeline_url
from readers.figures.chart import build_chart
from readers.views import query_without

# Events listed (as text, for screen readers) under the embedded chart; the full view has the rest.
EMBED_LIST_MAX = 100
# Publishers named in the credit line; the others are counted.
CREDITED_PUBLISHERS = 4


def frame_ancestors() -> list[str]:
    return list(settings.EMBED_FRAME_ANCESTORS) or ["*"]


def framable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let other sites frame this view: CSP frame-ancestors from the setting, no X-Frame-Options."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Read per request, not at import: the setting is the deployer's and tests change it.
        return csp_replace({"frame-ancestors": frame_ancestors()})(view)(request, *args, **kwargs)

    return xframe_options_exempt(wrapped)


# Cached inside framable: the frame-ancestors it sets travel on the response object, kept by no cache.
@require_safe
@framable
@cached_for_readers(same_for_everyone=True)
def embed(request: HttpRequest) -> HttpResponse:
    filterset = selectors.event_filter(params=request.GET)
    events = filterset.qs
    query = query_without(request.GET, "page")
    summary = describe(filterset)
    chart = build_chart(events, query=query, summary=summary_for(filterset), weighting=filterset.weighting())
    return render(
        request,
        "events/embed.html",
        {
            "filter": filterset,
            "chart": chart,
            "now": selectors.tension_now(filterset=filterset, totals=chart.totals),
            "record_region": settings.RECORD_REGION,
            "window_days": WINDOW_DAYS,
            "summary": summary,
            "title": embed_title(summary),
            "site_name": settings.SITE_NAME,
            "full_view": timeline_url(request, query),
            "listed": events.for_display()[:EMBED_LIST_MAX],
            "list_max": EMBED_LIST_MAX,
            "credit": selectors.source_credit(events, named=CREDITED_PUBLISHERS),
        },
    )


class OEmbedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _size(request: HttpRequest, name: str, default: int) -> int:
    value = request.GET.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) == 0:
        raise OEmbedError(400, f"{name} must be a positive whole number of pixels.")
    return min(int(value), default)


def _view_query(request: HttpRequest, url: str) -> str:
    """The filter query of a link to one of our views (the timeline or its embed)."""
    if not url:
        raise OEmbedError(400, "Give the link to embed: ?url=<a Tension Timeline address>.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.get_host().lower():
        raise OEmbedError(404, "Only links to this site's timeline can be embedded.")
    # The site's root may be written without its slash (http://host is http://host/, RFC 3986 §6.2.3).
    if (parts.path or "/") not in (reverse("events:timeline"), reverse("events:embed")):
        raise OEmbedError(404, "Only the timeline (with any filters) can be embedded.")
    return query_without(QueryDict(parts.query), "page")


@require_safe
@cached_for_readers
def oembed(request: HttpRequest) -> JsonResponse:
    """oEmbed 1.0 (https://oembed.com): a `rich` answer whose html is the embed's <iframe>."""
    if request.GET.get("format", "json") != "json":
        return JsonResponse({"error": "Only format=json is served."}, status=501)
    try:
        query = _view_query(request, request.GET.get("url", "").strip())
        width = _size(request, "maxwidth", EMBED_WIDTH)
        height = _size(request, "maxheight", EMBED_HEIGHT)
    except OEmbedError as error:
        return JsonResponse({"error": str(error)}, status=error.status)
    filterset = selectors.event_filter(params=QueryDict(query))
    if not filterset.is_valid():
        fields = ", ".join(sorted(filterset.errors))
        return JsonResponse({"error": f"The link's filters cannot be used ({fields})."}, status=400)
    title = embed_title(describe(filterset))
    response = JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": settings.SITE_NAME,
            "provider_url": request.build_absolute_uri(reverse("events:timeline")),
            "title": title,
            "html": iframe_code(embed_url(request, query), title, width=width, height=height),
            "width": width,
            "height": height,
        }
    )
    # Public data: a CMS's editor may ask from the browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response
