"""GeoJSON of a filtered view, checked against RFC 7946's rules, as a GIS would read it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.http import QueryDict

from events.models import Event
from events.selectors import event_filter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


@pytest.fixture
def placed(record):
    # Vilnius and Kaliningrad; the other public events have no coordinates.
    Event.objects.filter(slug="patriot").update(latitude=Decimal("54.68700"), longitude=Decimal("25.27900"))
    Event.objects.filter(slug="warning").update(latitude=Decimal("54.71000"), longitude=Decimal("20.51000"))


def geojson(client, query: str = "") -> dict:
    response = client.get(f"/export.geojson?{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def assert_rfc7946(document: dict) -> None:
    """The rules of RFC 7946 that a FeatureCollection of Points must keep."""
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document, "RFC 7946 §4: no crs member, WGS 84 only"
    assert isinstance(document["features"], list)
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["id"], str | int | float), "§3.2: id is a string or a number"
        assert feature["properties"] is None or isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        longitude, latitude = geometry["coordinates"]  # §3.1.1: longitude first, at most three numbers
        assert all(isinstance(n, int | float) and not isinstance(n, bool) for n in (longitude, latitude))
        assert -180 <= longitude <= 180 and -90 <= latitude <= 90


def test_a_feature_collection_with_longitude_before_latitude(client, placed):
    document = geojson(client)
    assert_rfc7946(document)
    by_slug = {f["id"]: f for f in document["features"]}
    assert by_slug["patriot"]["geometry"]["coordinates"] == [25.279, 54.687]
    assert by_slug["warning"]["geometry"]["coordinates"] == [20.51, 54.71]
    assert by_slug["patriot"]["properties"]["url"] == "http://testserver/events/patriot/"
    assert by_slug["patriot"]["properties"]["date"] == "2024-03-08"


def test_events_without_coordinates_are_left_out_and_counted(client, placed):
    document = geojson(client)
    view = list(event_filter(params=QueryDict("")).qs.values_list("slug", flat=True))
    assert [f["id"] for f in document["features"]] == [slug for slug in view if slug in {"patriot", "warning"}]
    assert document["metadata"] == {"events": len(view), "features": 2, "omitted_without_coordinates": len(view) - 2}


def test_the_same_filters_as_the_page(client, placed):
    document = geojson(client, "country=LT")
    assert [f["id"] for f in document["features"]] == ["patriot"]
    assert "withdrawn" not in {f["id"] for f in geojson(client, "include_retracted=1")["features"]}
    assert client.get("/export.geojson?country=nowhere").status_code == 400


def test_drafts_never_appear(client, placed):
    Event.objects.filter(slug="draft").update(latitude=Decimal("55"), longitude=Decimal("24"))
    assert "draft" not in {f["id"] for f in geojson(client, "include_retracted=1")["features"]}


def test_an_empty_view_is_an_empty_collection(client, placed):
    document = geojson(client, "date_from=1990-01-01&date_to=1990-12-31")
    assert_rfc7946(document)
    assert document["features"] == [] and document["metadata"]["events"] == 0
