"""The read-only API and the GeoJSON/TimelineJS exports. Thin: the filter is the timeline's EventFilter
(through django-filter's DRF backend, on the same public queryset as every reader's view), the
representation is in serializers.py, the formats in geojson.py and timelinejs.py, the feed in changes.py."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from events import selectors
from events.dyads import dyad
from events.filters import EventFilter, describe, sort_order
from events.models import Actor, Country, EventType, Region
from events.summary import view_index
from events.tension import WINDOW_DAYS
from events.trends import latest_trends
from exports import geojson, timelinejs
from exports.csv import event_url_parts

from . import changes, representation
from .pagination import KeysetPagination, decode_cursor, encode_cursor
from .renderers import RowsJSONRenderer
from .schema import ApiSchema
from .serializers import (
    ActorSerializer,
    ChangeFeedSerializer,
    CountrySerializer,
    DyadSerializer,
    EventSerializer,
    EventTypeSerializer,
    FeatureCollectionSerializer,
    RegionSerializer,
    TensionIndexSerializer,
    TimelineJSSerializer,
    TrendListSerializer,
    with_record,
)
from .versioning import conditional


def url_parts(request: Request) -> tuple[str, str]:
    return event_url_parts(base_url=request.build_absolute_uri("/"))


class FilteredEvents(generics.GenericAPIView):
    """A view of the public record narrowed by the timeline's own filter (same names, same rules)."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilter
    schema = ApiSchema()

    def get_queryset(self):
        return selectors.public_events(include_retracted=True)

    def get_serializer_context(self) -> dict:
        return super().get_serializer_context() | {"url_parts": url_parts(self.request)}

    def filtered(self) -> EventFilter:
        """The view's filter itself (for what it says beyond its events, such as the index's weighting),
        validated as DRF's filter backend does: an invalid query is a 400."""
        filterset = DjangoFilterBackend().get_filterset(self.request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset


@method_decorator(conditional, name="get")
class EventList(FilteredEvents, generics.ListAPIView):
    """Events of the view, in its `sort` order (newest first by default), a page at a time. Retracted
    events only with include_retracted=1, with their note; drafts and events in review never."""

    serializer_class = EventSerializer
    pagination_class = KeysetPagination
    renderer_classes = [RowsJSONRenderer]  # its pages are written from rows (representation.py)

    @property
    def ordering(self) -> tuple[str, ...]:
        # The filter's `sort`, valid by the time the page is cut (filter_queryset refuses it otherwise).
        return sort_order(self.request.query_params.get("sort"))

    def list(self, request: Request, *args, **kwargs) -> Response:
        # Written from plain rows (representation.py), as the serializer would write them.
        page = self.paginate_queryset(representation.rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(representation.events(page, url_parts=url_parts(request)))


@method_decorator(conditional, name="get")
class EventDetail(generics.RetrieveAPIView):
    """One public event by its slug, with its actors and roles, sources and reaction links both ways."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    schema = ApiSchema()

    def get_queryset(self):
        return with_record(selectors.public_events(include_retracted=True))

    def get_serializer_context(self) -> dict:
        return super().get_serializer_context() | {"url_parts": url_parts(self.request)}


@method_decorator(conditional, name="get")  # inherited by each list below
class ReferenceList(generics.ListAPIView):
    pagination_class = KeysetPagination
    schema = ApiSchema()
    ordering = ("slug", "id")


class ActorList(ReferenceList):
    serializer_class = ActorSerializer
    queryset = Actor.objects.select_related("country")


class EventTypeList(ReferenceList):
    serializer_class = EventTypeSerializer
    queryset = EventType.objects.all()


class CountryList(ReferenceList):
    serializer_class = CountrySerializer
    queryset = Country.objects.all()


class RegionList(ReferenceList):
    serializer_class = RegionSerializer
    queryset = Region.objects.prefetch_related("countries")


@method_decorator(conditional, name="get")
class TensionIndex(FilteredEvents):
    """The tension index of the view: per day, the weights of its events (events/tension.py: confirmed and
    claimed events at their escalation; disputed ones too with include_disputed; retracted never) summed
    over the 30 days ending that day. A step function: one point where it changes."""

    pagination_class = None
    serializer_class = TensionIndexSerializer

    def get(self, request: Request) -> Response:
        filterset = self.filtered()
        points = view_index(filterset)
        answer = {"window_days": WINDOW_DAYS, "rule": filterset.weighting().describe(), "points": points}
        return Response(self.get_serializer(answer).data)


@method_decorator(conditional, name="get")
class DyadDetail(APIView):
    """A pair of adversaries: each side's events against the other (published, not retracted) with their
    weights and escalation index, who acted first, the reactions between them with their lags, the
    longest action–reaction chain and the monthly trend (the page: /dyads/<a>/<b>/). 404 for an actor
    that is not in the record, or the same actor twice."""

    schema = ApiSchema()
    serializer_class = DyadSerializer

    def get(self, request: Request, a: str, b: str) -> Response:
        return Response(DyadSerializer(dyad(a=a, b=b)).data)


@method_decorator(conditional, name="get")
class TrendList(APIView):
    """The latest month's trend (deteriorated / improved / unchanged) of the whole record, each region, each
    country and each pair of actors, by the rule on /about/#trend; the same rows as /trends/ and /trends.csv."""

    schema = ApiSchema()
    serializer_class = TrendListSerializer

    def get(self, request: Request) -> Response:
        month, rows = latest_trends()
        return Response(TrendListSerializer({"month": month, "rows": rows}).data)


class MediaTypeJSONRenderer(JSONRenderer):
    """JSON under the format's own media type, so `Accept: application/geo+json` is honoured."""

    def __init__(self, media_type: str, format: str) -> None:
        self.media_type, self.format = media_type, format


class StreamedFormat(FilteredEvents):
    pagination_class = None
    media_type = "application/json"
    format_name = "json"

    def get_renderers(self):
        if self.media_type == JSONRenderer.media_type:
            return [JSONRenderer()]
        return [MediaTypeJSONRenderer(self.media_type, self.format_name), JSONRenderer()]

    def stream(self, request: Request, events):
        raise NotImplementedError

    def respond(self, pieces: Iterator[bytes], *, content_type: str) -> HttpResponse | StreamingHttpResponse:
        return StreamingHttpResponse(pieces, content_type=content_type)

    def get(self, request: Request) -> HttpResponse | StreamingHttpResponse:
        events = self.filter_queryset(self.get_queryset())
        # Under the media type asked for (`format`, Accept): each is documented, both are the same JSON.
        return self.respond(self.stream(request, events), content_type=request.accepted_renderer.media_type)


@method_decorator(conditional, name="get")
class GeoJSONExport(StreamedFormat):
    """The view as a GeoJSON FeatureCollection (RFC 7946): a Point per event with coordinates,
    [longitude, latitude]; `metadata` counts the events left out for want of coordinates."""

    media_type = geojson.MEDIA_TYPE
    format_name = "geojson"
    serializer_class = FeatureCollectionSerializer

    def stream(self, request: Request, events):
        return geojson.feature_collection(events, url_parts=url_parts(request))

    def respond(self, pieces: Iterator[bytes], *, content_type: str) -> HttpResponse | StreamingHttpResponse:
        # Whole with its length when it fits, so GDAL can open the URL (geojson.py).
        return geojson.response(pieces, content_type=content_type, max_bytes=geojson.MAX_SIZED_BYTES)


@method_decorator(conditional, name="get")
class TimelineJSExport(StreamedFormat):
    """The view as TimelineJS JSON: one slide per event, dates to their known precision, its sources as the
    slide's credit; an empty view is one slide that says so (TimelineJS draws nothing without a slide). At
    most the view's first few hundred events, as many as TimelineJS can draw: the title slide says when the
    view holds more, and how many the story tells."""

    serializer_class = TimelineJSSerializer

    def stream(self, request: Request, events):
        filterset = self.filterset_class(request.query_params, queryset=events)
        described = ", ".join(describe(filterset))
        title = settings.SITE_NAME + (f": {described}" if described else "")
        return timelinejs.timeline_json(
            events,
            url_parts=url_parts(request),
            title=title,
            description="Every event links to its page, with its sources and the reactions it provoked.",
            max_slides=timelinejs.MAX_SLIDES,
        )


LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def parse_since(raw: str) -> datetime.datetime:
    """An ISO 8601 time (a time without zone is UTC; RFC 3339's lower-case t and z too) or a date (its
    midnight, UTC), within what the database can compare: before the feed begins is its beginning, and a
    time past the last one UTC can write is that one (aware times compare without converting)."""
    # A date alone reads as its midnight. (A forged cursor may hold any JSON value.)
    moment = parse_datetime(raw.upper()) if isinstance(raw, str) else None
    if moment is None:
        raise ValueError(raw)
    moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
    # In UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL's timestamptz input only up to ±15:59.
    return min(max(moment, changes.BEGINNING), LATEST).astimezone(datetime.UTC)


@method_decorator(conditional, name="get")
class ChangeFeed(APIView):
    """Events published, changed, retracted or removed after a time (`since`) or a position (`cursor`),
    oldest change first, each with its state now. Start with no parameter (the whole record), apply
    every change in order, keep `cursor`, and ask again with it."""

    schema = ApiSchema()
    serializer_class = ChangeFeedSerializer
    renderer_classes = [RowsJSONRenderer]  # its events are written from rows (representation.py)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]},
                description="ISO 8601 time or date: changes after it (UTC if no zone); ignored with `cursor`.",
            ),
            OpenApiParameter("cursor", str, description="The `cursor` of the previous answer."),
            OpenApiParameter(
                "limit",
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": changes.MAX_CHANGES_PER_PAGE,
                    "default": changes.CHANGES_PER_PAGE,
                },
                description=f"At most this many changes (1–{changes.MAX_CHANGES_PER_PAGE}); `next` keeps it.",
            ),
        ],
    )
    def get(self, request: Request) -> Response:
        position = self.position(request)
        limit = self.limit(request)
        parts = url_parts(request)

        def represent(events):
            return representation.events(representation.rows(events), url_parts=parts)

        found, last, more = changes.changes(position, limit, represent=represent)
        cursor = encode_cursor({"t": last.changed_at.isoformat(), "e": last.event_id})
        # As ChangeFeedSerializer describes it, written from plain values (representation.py).
        rows = [
            {"change": c.kind, "slug": c.slug, "changed_at": representation.timestamp(c.changed_at), "event": c.event}
            for c in found
        ]
        # The same query (its `limit` above all) from the cursor on; `since` is spent.
        next_url = remove_query_param(replace_query_param(request.build_absolute_uri(), "cursor", cursor), "since")
        return Response({"changes": rows, "cursor": cursor, "next": next_url, "more": more})

    @staticmethod
    def position(request: Request) -> changes.Position:
        raw_cursor, raw_since = request.query_params.get("cursor"), request.query_params.get("since")
        if raw_cursor:
            payload = decode_cursor(raw_cursor)
            try:
                return changes.Position(parse_since(payload["t"]), int(payload["e"]))
            except (KeyError, TypeError, ValueError):
                raise ValidationError({"cursor": ["Invalid cursor: use the `cursor` of a previous answer."]}) from None
        if raw_since is not None:
            try:
                return changes.Position(parse_since(raw_since), 0)
            except ValueError:
                raise ValidationError({"since": ["An ISO 8601 time or date, e.g. 2024-03-08T12:00:00Z."]}) from None
        return changes.Position(changes.BEGINNING, 0)

    @staticmethod
    def limit(request: Request) -> int:
        raw = request.query_params.get("limit")
        if raw is None:
            return changes.CHANGES_PER_PAGE
        if not raw.isdigit() or not 1 <= int(raw) <= changes.MAX_CHANGES_PER_PAGE:
            raise ValidationError({"limit": [f"A whole number from 1 to {changes.MAX_CHANGES_PER_PAGE}."]})
        return int(raw)


ROOT_LINKS = (
    "events",
    "actors",
    "types",
    "countries",
    "regions",
    "tension",
    "trends",
    "changes",
    "schema",
    "docs",
    "geojson",
    "timelinejs",
)


class ApiRoot(APIView):
    """Where everything is."""

    schema = ApiSchema()
    serializer_class = inline_serializer("ApiRoot", {name: serializers.URLField() for name in ROOT_LINKS})

    def get(self, request: Request) -> Response:
        return Response({name: request.build_absolute_uri(reverse(f"api:{name}")) for name in ROOT_LINKS})


def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": NotFound.default_detail}, status=NotFound.status_code)
