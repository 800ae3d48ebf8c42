"""GDAL-based tools (QGIS, ogr2ogr, geopandas/pyogrio) open /export.geojson straight from its URL: GDAL reads
the size from a HEAD first, so the collection is sent whole, with its Content-Length, up to a bound."""

from __future__ import annotations

import http.client
from decimal import Decimal
from urllib.parse import urlsplit

import pyogrio
import pytest

from events.models import Event
from events.taxonomy import ensure_event_types
from exports import geojson

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def placed_site(live_server, request):
    ensure_event_types()  # a transactional test's flush empties what migration 0002 loaded
    request.getfixturevalue("record")
    Event.objects.filter(slug="patriot").update(latitude=Decimal("54.68700"), longitude=Decimal("25.27900"))
    Event.objects.filter(slug="warning").update(latitude=Decimal("54.71000"), longitude=Decimal("20.51000"))
    return live_server


def headers(url: str, method: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(method, f"{parts.path}?{parts.query}")
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


def test_pyogrio_opens_the_geojson_by_its_url_and_counts_its_features(placed_site):
    url = f"{placed_site.url}/export.geojson?country=&sort=-date"
    info = pyogrio.read_info(url)
    assert info["driver"] == "GeoJSON"
    assert info["features"] == 2
    assert info["geometry_type"] == "Point"
    *_, columns = pyogrio.raw.read(url, read_geometry=False, columns=["slug"])
    assert sorted(columns[0]) == ["patriot", "warning"]


def test_get_and_head_give_the_size(placed_site):
    url = f"{placed_site.url}/export.geojson?country="
    status, got, body = headers(url, "GET")
    assert status == 200 and int(got["content-length"]) == len(body)
    status, head, empty = headers(url, "HEAD")
    assert status == 200 and head["content-length"] == got["content-length"] and empty == b""


def test_a_collection_past_the_bound_streams_without_a_length(placed_site, monkeypatch):
    monkeypatch.setattr(geojson, "MAX_SIZED_BYTES", 100)
    status, got, body = headers(f"{placed_site.url}/export.geojson?sort=date", "GET")
    assert status == 200 and "content-length" not in got
    assert body.count(b'"type":"Feature"') == 2
