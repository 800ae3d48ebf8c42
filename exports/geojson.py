"""GeoJSON (RFC 7946) of a filtered view: a FeatureCollection of Points, longitude before latitude.

Events without coordinates cannot be a Feature: they are left out and counted in the collection's
`metadata` member (a foreign member, which RFC 7946 §6.1 allows), so a GIS user knows the map is not
the whole view. Made a chunk of events at a time, in the view's order.

Sent whole, with its Content-Length, when it ends within MAX_SIZED_BYTES: GDAL (QGIS, ogr2ogr,
geopandas/pyogrio) opens a URL only when a HEAD tells it the size ("not recognized as being in a
supported file format" otherwise). A larger collection streams from there on without a length, so a
server's memory stays bounded: download it first (or read it through GDAL's /vsicurl_streaming/).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

from events.batching import batched
from events.models import Event

CHUNK_SIZE = 2000
MEDIA_TYPE = "application/geo+json"
MAX_SIZED_BYTES = 32 * 2**20  # about 80,000 features

# Feature property -> Event field path, read as plain tuples (no model instances per row).
PROPERTIES = {
    "id": "id",
    "slug": "slug",
    "title": "title",
    "date": "date",
    "date_precision": "date_precision",
    "end_date": "end_date",
    "event_type": "event_type__slug",
    "category": "event_type__category",
    "escalation": "escalation",
    "verification": "verification",
    "country": "location_country__iso2",
    "location": "location_name",
    "status": "status",
    "retraction_note": "retraction_note",
}


def _plain(value):
    if value is None or isinstance(value, int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return float(value)  # Decimal


def feature_collection(events: QuerySet, *, url_parts: tuple[str, str]) -> Iterator[bytes]:
    prefix, suffix = url_parts
    yield b'{"type":"FeatureCollection","features":['
    total = placed = 0
    names = list(PROPERTIES)
    ids = events.values_list("id", flat=True).iterator(chunk_size=CHUNK_SIZE)
    for chunk in batched(ids, CHUNK_SIZE):
        rows = {
            row[0]: row
            for row in Event.objects.filter(id__any_of=chunk)
            .order_by()
            .values_list(*PROPERTIES.values(), "longitude", "latitude")
        }
        pieces = []
        for event_id in chunk:
            row = rows.get(event_id)
            if row is None:  # deleted between the two reads
                continue
            total += 1
            longitude, latitude = row[-2], row[-1]
            if longitude is None or latitude is None:
                continue
            properties = {name: _plain(value) for name, value in zip(names, row, strict=False)}
            properties["url"] = f"{prefix}{properties['slug']}{suffix}"
            feature = {
                "type": "Feature",
                "id": properties["slug"],
                "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
                "properties": properties,
            }
            pieces.append(("," if placed else "") + json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
            placed += 1
        if pieces:
            yield "".join(pieces).encode()
    metadata = {"events": total, "features": placed, "omitted_without_coordinates": total - placed}
    yield f'],"metadata":{json.dumps(metadata)}}}'.encode()


def response(pieces: Iterator[bytes], *, content_type: str, max_bytes: int) -> HttpResponse | StreamingHttpResponse:
    """The pieces as one body with its Content-Length when they end within `max_bytes`, streamed otherwise
    (what was read first, then the rest)."""
    read: list[bytes] = []
    size = 0
    for piece in pieces:
        read.append(piece)
        size += len(piece)
        if size > max_bytes:
            return StreamingHttpResponse(itertools.chain(read, pieces), content_type=content_type)
    sized = HttpResponse(b"".join(read), content_type=content_type)
    sized["Content-Length"] = str(size)  # a HEAD keeps it, without the body
    return sized
