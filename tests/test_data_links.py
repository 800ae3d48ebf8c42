"""The timeline's "data of this view" links carry its filters to every format; /about/ documents each format."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

FORMATS = ["/export.csv", "/api/events/", "/export.geojson", "/export.timeline.json", "/feed/"]


def test_the_timeline_offers_every_format_for_the_current_filters(client, record):
    cache.clear()
    html = client.get("/?country=LT&actor=nato&page=1").content.decode()
    links = re.search(r'<span class="data-links" id="data-links">(.*?)</span>', html, re.S).group(1)
    hrefs = re.findall(r'href="([^"]+)"', links)
    for path in FORMATS:
        assert f"{path}?country=LT&amp;actor=nato" in hrefs, path
    for href in hrefs:
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, href


def test_an_unfiltered_view_links_to_the_whole_record(client, record):
    html = client.get("/").content.decode()
    for path in FORMATS:
        assert f'href="{path}"' in html, path


def test_about_documents_every_format_with_an_example(client, record):
    html = client.get("/about/").content.decode()
    for anchor in ("format-csv", "format-json", "format-changes", "format-geojson", "format-timelinejs", "format-atom"):
        section = html.split(f'id="{anchor}"')[1].split("<h4")[0]
        assert "<code>" in section, anchor
    for anchor in ("format-json", "format-changes", "format-geojson", "format-timelinejs"):
        assert '<pre class="example"' in html.split(f'id="{anchor}"')[1].split("<h4")[0], anchor
    assert 'href="/api/schema.json"' in html and 'href="/api/docs/"' in html
