"""The read-only API and the GeoJSON/TimelineJS exports. Thin: the filter is the timeline's EventFilter
(through django-filter's DRF backend, on the same public queryset as every reader's view), the
representation is in serializers.py, the formats in geojson.py and timelinejs.py, the feed in changes.py."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from events import selectors
from events.filters import EventFilter, describe, sort_order
from events.models import Actor, Country, EventType, Region
from events.tension import WINDOW_DAYS, tension_index
from exports import geojson, timelinejs
from exports.csv import event_url_parts

from . import changes
from .pagination import KeysetPagination, decode_cursor, encode_cursor
from .serializers import (
    ActorSerializer,
    ChangeSerializer,
    CountrySerializer,
    EventSerializer,
    EventTypeSerializer,
    IndexPointSerializer,
    RegionSerializer,
    with_record,
)
from .versioning import conditional


def url_parts(request: Request) -> tuple[str, str]:
    return event_url_parts(base_url=request.build_absolute_uri("/"))


class FilteredEvents(generics.GenericAPIView):
    """A view of the public record narrowed by the timeline's own filter (same names, same rules)."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilter

    def get_queryset(self):
        return selectors.public_events(include_retracted=True)

    def get_serializer_context(self) -> dict:
        return super().get_serializer_context() | {"url_parts": url_parts(self.request)}


@method_decorator(conditional, name="get")
class EventList(FilteredEvents, generics.ListAPIView):
    """Events of the view, in its `sort` order (newest first by default), a page at a time. Retracted
    events only with include_retracted=1, with their note; drafts and events in review never."""

    serializer_class = EventSerializer
    pagination_class = KeysetPagination

    @property
    def ordering(self) -> tuple[str, ...]:
        # The filter's `sort`, valid by the time the page is cut (filter_queryset refuses it otherwise).
        return sort_order(self.request.query_params.get("sort"))

    def list(self, request: Request, *args, **kwargs) -> Response:
        events = with_record(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@method_decorator(conditional, name="get")
class EventDetail(generics.RetrieveAPIView):
    """One public event by its slug, with its actors and roles, sources and reaction links both ways."""

    serializer_class = EventSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return with_record(selectors.public_events(include_retracted=True))

    def get_serializer_context(self) -> dict:
        return super().get_serializer_context() | {"url_parts": url_parts(self.request)}


@method_decorator(conditional, name="get")  # inherited by each list below
class ReferenceList(generics.ListAPIView):
    pagination_class = KeysetPagination
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
    """The tension index of the view: per day, the escalation summed over the 30 days ending that day.
    A step function: one point where it changes."""

    pagination_class = None

    @extend_schema(
        responses=inline_serializer(
            "TensionIndex",
            {"window_days": serializers.IntegerField(), "points": IndexPointSerializer(many=True)},
        )
    )
    def get(self, request: Request) -> Response:
        points = tension_index(self.filter_queryset(self.get_queryset()))
        return Response({"window_days": WINDOW_DAYS, "points": IndexPointSerializer(points, many=True).data})


class MediaTypeJSONRenderer(JSONRenderer):
    """JSON under the format's own media type, so `Accept: application/geo+json` is honoured."""

    def __init__(self, media_type: str, format: str) -> None:
        self.media_type, self.format = media_type, format


class StreamedFormat(FilteredEvents):
    pagination_class = None
    media_type = "application/json"
    format_name = "json"

    def get_renderers(self):
        return [MediaTypeJSONRenderer(self.media_type, self.format_name), JSONRenderer()]

    def stream(self, request: Request, events):
        raise NotImplementedError

    def get(self, request: Request) -> StreamingHttpResponse:
        events = self.filter_queryset(self.get_queryset())
        response = StreamingHttpResponse(self.stream(request, events), content_type=self.media_type)
        return response


@method_decorator(conditional, name="get")
@extend_schema(responses={(200, geojson.MEDIA_TYPE): OpenApiTypes.OBJECT})
class GeoJSONExport(StreamedFormat):
    """The view as a GeoJSON FeatureCollection (RFC 7946): a Point per event with coordinates,
    [longitude, latitude]; `metadata` counts the events left out for want of coordinates."""

    media_type = geojson.MEDIA_TYPE
    format_name = "geojson"

    def stream(self, request: Request, events):
        return geojson.feature_collection(events, url_parts=url_parts(request))


@method_decorator(conditional, name="get")
@extend_schema(responses={200: OpenApiTypes.OBJECT})
class TimelineJSExport(StreamedFormat):
    """The view as TimelineJS JSON: one slide per event, dates to their known precision."""

    def stream(self, request: Request, events):
        filterset = self.filterset_class(request.query_params, queryset=events)
        described = ", ".join(describe(filterset))
        title = settings.SITE_NAME + (f": {described}" if described else "")
        return timelinejs.timeline_json(
            events,
            url_parts=url_parts(request),
            title=title,
            description="Every event links to its page, with its sources and the reactions it provoked.",
        )


def parse_since(raw: str) -> datetime.datetime:
    """An ISO 8601 time (a time without zone is UTC) or a date (its midnight, UTC)."""
    moment = parse_datetime(raw) if "T" in raw or " " in raw else None
    if moment is None:
        day = parse_date(raw)
        if day is None:
            raise ValueError(raw)
        moment = datetime.datetime.combine(day, datetime.time())
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


@method_decorator(conditional, name="get")
class ChangeFeed(APIView):
    """Events published, changed, retracted or removed after a time (`since`) or a position (`cursor`),
    oldest change first, each with its state now. Start with no parameter (the whole record), apply
    every change in order, keep `cursor`, and ask again with it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="ISO 8601 time or date: changes after it (UTC if no zone)."),
            OpenApiParameter("cursor", str, description="The `cursor` of the previous answer."),
            OpenApiParameter(
                "limit", int, description=f"At most this many changes (1–{changes.MAX_CHANGES_PER_PAGE})."
            ),
        ],
        responses=inline_serializer(
            "ChangeFeed",
            {
                "changes": ChangeSerializer(many=True),
                "cursor": serializers.CharField(help_text="Where this answer ends: ask again with it."),
                "next": serializers.URLField(help_text="This query from `cursor` on."),
                "more": serializers.BooleanField(help_text="True when more changes may follow at once."),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        position = self.position(request)
        limit = self.limit(request)
        found, last, more = changes.changes(position, limit, events_with_record=with_record)
        cursor = encode_cursor({"t": last.changed_at.isoformat(), "e": last.event_id})
        context = {"request": request, "url_parts": url_parts(request)}
        rows = [{"change": c.kind, "slug": c.slug, "changed_at": c.changed_at, "event": c.event} for c in found]
        next_url = replace_query_param(request.build_absolute_uri(reverse("api:changes")), "cursor", cursor)
        return Response(
            {
                "changes": ChangeSerializer(rows, many=True, context=context).data,
                "cursor": cursor,
                "next": next_url,
                "more": more,
            }
        )

    @staticmethod
    def position(request: Request) -> changes.Position:
        raw_cursor, raw_since = request.query_params.get("cursor"), request.query_params.get("since")
        if raw_cursor:
            payload = decode_cursor(raw_cursor)
            try:
                return changes.Position(parse_since(payload["t"]), int(payload["e"]))
            except (KeyError, TypeError, ValueError):
                raise ValidationError({"cursor": ["Invalid cursor: use the `cursor` of a previous answer."]}) from None
        if raw_since:
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


class ApiRoot(APIView):
    """Where everything is."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        names = ["events", "actors", "types", "countries", "regions", "tension", "changes", "schema", "docs"]
        links = {name: request.build_absolute_uri(reverse(f"api:{name}")) for name in names}
        links["geojson"] = request.build_absolute_uri(reverse("api:geojson"))
        links["timelinejs"] = request.build_absolute_uri(reverse("api:timelinejs"))
        return Response(links)
