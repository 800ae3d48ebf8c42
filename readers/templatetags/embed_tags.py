"""The timeline's "Embed this view" code and its oEmbed discovery link, for the current filters."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from readers.embedding import embed_title, embed_url, iframe_code, timeline_url

register = template.Library()


@register.simple_tag(takes_context=True)
def embed_code(context: template.Context) -> str:
    """The <iframe> code of the view in `query` (as text: the template escapes it for a textarea)."""
    request = context["request"]
    return iframe_code(embed_url(request, context.get("query", "")), embed_title(context.get("summary") or []))


@register.simple_tag(takes_context=True)
def oembed_discovery_url(context: template.Context) -> str:
    request = context["request"]
    view = timeline_url(request, context.get("query", ""))
    return request.build_absolute_uri(f"{reverse('events:oembed')}?{urlencode({'url': view, 'format': 'json'})}")
