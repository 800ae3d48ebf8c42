"""The map of a filtered view: one Plotly `scattergeo` figure, built from the same events as the timeline.

Colours are the timeline's (readers/figures/chart.py), the marker's size grows with escalation, and the
geography is Natural Earth topojson served from our static files (static/vendor/plotly/topojson/):
Europe at 1:50m when every located event lies in Plotly's Europe frame, the world at 1:110m otherwise.
static/js/map.js registers that file in `window.PlotlyGeoAssets` before drawing, so plotly.js never
builds a URL of its own (it would miss the hashed names of the production static storage).

Events without coordinates cannot be drawn: they are counted and listed under the map.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from events.models import ESCALATION_MAX, ESCALATION_MIN, Event, EventType, event_path_parts, format_date
from readers.figures.chart import CATEGORY_COLOURS, symbol

# The most points one map draws. Past it the most recent located events are drawn and the page says
# so: neither the rows loaded nor the JSON sent grow with the record.
MAP_MAX_POINTS = 5000
# How many events without a place are listed by name under the map (all are counted).
UNPLACED_LISTED = 100
# Marker diameter in pixels at the bottom and at the top of the escalation scale.
MARKER_SIZE_MIN, MARKER_SIZE_MAX = 7, 24
TOPOJSON_STATIC_DIR = "vendor/plotly/topojson"


@dataclass(frozen=True)
class Geography:
    """A Plotly geo scope with the topojson file that draws it and the box it covers."""

    scope: str
    resolution: int
    lon: tuple[float, float]
    lat: tuple[float, float]

    @property
    def topojson_name(self) -> str:
        # plotly.js looks the shapes up as PlotlyGeoAssets.topojson["<scope>_<resolution>m"].
        return f"{self.scope}_{self.resolution}m"

    @property
    def static_path(self) -> str:
        return f"{TOPOJSON_STATIC_DIR}/{self.topojson_name}.json"

    def holds(self, lon: float, lat: float) -> bool:
        return self.lon[0] <= lon <= self.lon[1] and self.lat[0] <= lat <= self.lat[1]


# Plotly's own frames for these scopes (plotly.js src/plots/geo/constants.js).
EUROPE = Geography("europe", 50, (-30.0, 60.0), (30.0, 85.0))
WORLD = Geography("world", 110, (-180.0, 180.0), (-90.0, 90.0))
# Around the events, so that a handful of points in one country is not drawn as a dot on a continent.
MIN_SPAN_DEGREES = 8.0
MARGIN_DEGREES = 1.5
# Events that share a place are drawn on a ring around it, of this share of the map's height, wider
# when more than RING_CROWD share it.
RING_SHARE = 0.022
RING_CROWD = 5


@dataclass
class EventMap:
    figure: dict[str, Any]
    geography: Geography
    event_count: int  # every event of the view
    first: datetime.date | None  # the view's first and last date, located or not
    last: datetime.date | None
    located_count: int  # those with coordinates
    drawn_count: int  # those drawn (all located ones, up to MAP_MAX_POINTS)
    unplaced: list[dict[str, Any]] = field(default_factory=list)  # the first UNPLACED_LISTED without a place
    months: list[tuple[str, str]] = field(default_factory=list)  # ("2024-03", "March 2024") from first to last

    @property
    def unplaced_count(self) -> int:
        return self.event_count - self.located_count

    @property
    def truncated(self) -> bool:
        return self.drawn_count < self.located_count


def marker_size(escalation: Decimal) -> float:
    """Bigger for more tension: linear over the escalation scale, so sizes compare across maps."""
    share = (escalation - ESCALATION_MIN) / (ESCALATION_MAX - ESCALATION_MIN)
    return round(MARKER_SIZE_MIN + float(share) * (MARKER_SIZE_MAX - MARKER_SIZE_MIN), 1)


def month_key(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: datetime.date, last: datetime.date) -> list[tuple[str, str]]:
    """Every month from first's to last's, as (key, label)."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = datetime.date(year, month, 1)
        months.append((month_key(start), format_date(start, Event.Precision.MONTH)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def build_map(events: QuerySet) -> EventMap:
    """The map of these (already filtered, public) events: three queries whatever their number."""
    events = events.order_by()
    located = Q(latitude__isnull=False)
    counts = events.aggregate(
        total=Count("id"), located=Count("id", filter=located), first=Min("date"), last=Max("date")
    )
    rows = list(
        events.filter(located)
        .values(
            "slug",
            "title",
            "date",
            "date_precision",
            "end_date",
            "escalation",
            "status",
            "latitude",
            "longitude",
            "location_name",
            "event_type__name",
            "event_type__category",
        )
        .order_by("-date", "-id")[:MAP_MAX_POINTS]
    )
    rows.reverse()  # oldest first, so the newest are drawn on top
    unplaced = list(
        events.exclude(located)
        .values("slug", "title", "date", "date_precision")
        .order_by("date", "id")[:UNPLACED_LISTED]
    )
    url_prefix, url_suffix = event_path_parts()
    for row in unplaced:
        row["url"] = f"{url_prefix}{row['slug']}{url_suffix}"
        row["date_display"] = format_date(row["date"], row["date_precision"])
    geography = choose_geography(rows)
    months = months_between(rows[0]["date"], max(row["end_date"] or row["date"] for row in rows)) if rows else []
    layout = map_layout(rows, geography)
    if rows:
        low, high = layout["geo"]["lataxis"]["range"]
        spread_shared_places(rows, ring=RING_SHARE * (high - low))
    return EventMap(
        figure={"data": map_traces(rows), "layout": layout},
        geography=geography,
        event_count=counts["total"],
        first=counts["first"],
        last=counts["last"],
        located_count=counts["located"],
        drawn_count=len(rows),
        unplaced=unplaced,
        months=months,
    )


def spread_shared_places(rows: list[dict[str, Any]], *, ring: float) -> None:
    """Where several events share one place (five in Vilnius), draw them side by side on a small
    ring around it, so that each can be hovered and clicked; the hover and the table give the place.
    Sets row["shown"] = (lat, lon) for every row."""
    at_place: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        at_place[(row["latitude"], row["longitude"])].append(row)
    for (lat, lon), members in at_place.items():
        if len(members) == 1:
            members[0]["shown"] = (float(lat), float(lon))
            continue
        # A wider ring for a crowd; longitude degrees shrink with latitude, so the ring stays round.
        radius = ring * max(1.0, len(members) / RING_CROWD)
        stretch = max(math.cos(math.radians(float(lat))), 0.1)
        for index, row in enumerate(members):
            angle = 2 * math.pi * index / len(members)
            row["shown"] = (
                round(float(lat) + radius * math.sin(angle), 5),
                round(float(lon) + radius * math.cos(angle) / stretch, 5),
            )


def choose_geography(rows: list[dict[str, Any]]) -> Geography:
    if all(EUROPE.holds(float(row["longitude"]), float(row["latitude"])) for row in rows):
        return EUROPE
    return WORLD


def map_traces(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One trace per category (the legend), in the taxonomy's order, coloured as on the timeline."""
    url_prefix, url_suffix = event_path_parts()
    by_category: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_category[row["event_type__category"]].append(row)
    traces = []
    for category, label in EventType.Category.choices:
        members = by_category.get(category)
        if not members:
            continue
        traces.append(
            {
                "type": "scattergeo",
                "mode": "markers",
                "name": label,
                "lat": [row["shown"][0] for row in members],
                "lon": [row["shown"][1] for row in members],
                "marker": {
                    "color": CATEGORY_COLOURS[category],
                    "size": [marker_size(row["escalation"]) for row in members],
                    "symbol": [symbol(row, False) for row in members],
                    "line": {"color": "#222", "width": 1},
                    "opacity": 0.85,
                },
                # The month slider (static/js/map.js) fades the points outside the chosen month.
                "unselected": {"marker": {"opacity": 0.12}},
                # customdata: [event URL, date at its precision, title, type, place, first month, last month],
                # escaped: Plotly renders hover text as HTML-ish markup.
                "customdata": [
                    [
                        f"{url_prefix}{row['slug']}{url_suffix}",
                        escape(format_date(row["date"], row["date_precision"])),
                        escape(("[Retracted] " if row["status"] == Event.Status.RETRACTED else "") + row["title"]),
                        escape(row["event_type__name"]),
                        escape(row["location_name"] or "—"),
                        month_key(row["date"]),
                        month_key(row["end_date"] or row["date"]),
                    ]
                    for row in members
                ],
                "hovertemplate": (
                    "%{customdata[1]}<br><b>%{customdata[2]}</b><br>%{customdata[3]} · %{customdata[4]}<extra></extra>"
                ),
            }
        )
    return traces


def framed(low: float, high: float, bounds: tuple[float, float]) -> list[float]:
    """[low, high] widened by a margin and to a minimum span, kept inside the geography's bounds."""
    centre = (low + high) / 2
    half = max(high - low + 2 * MARGIN_DEGREES, MIN_SPAN_DEGREES) / 2
    start, end = max(centre - half, bounds[0]), min(centre + half, bounds[1])
    return [round(start, 3), round(end, 3)]


def map_layout(rows: list[dict[str, Any]], geography: Geography) -> dict[str, Any]:
    geo: dict[str, Any] = {
        "scope": geography.scope,
        "projection": {"type": "mercator"},
        "resolution": geography.resolution,
        "showland": True,
        "landcolor": "#f1efe9",
        "showocean": True,
        "oceancolor": "#e3eef5",
        "showlakes": True,
        "lakecolor": "#e3eef5",
        "showcountries": True,
        "countrycolor": "#8a8a8a",
        "countrywidth": 0.8,
        "coastlinecolor": "#8a8a8a",
        "showframe": False,
        "bgcolor": "#fff",
    }
    if rows:
        lons = [float(row["longitude"]) for row in rows]
        lats = [float(row["latitude"]) for row in rows]
        # The events' own frame; static/js/map.js widens it to the shape of the reader's screen.
        geo["lonaxis"] = {"range": framed(min(lons), max(lons), geography.lon)}
        geo["lataxis"] = {"range": framed(min(lats), max(lats), geography.lat)}
    layout: dict[str, Any] = {
        "geo": geo,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": 620,
        "hovermode": "closest",
        "dragmode": "pan",
        "legend": {"orientation": "h", "y": 0, "x": 0, "yanchor": "top", "font": {"size": 13}},
        "font": {"family": "system-ui, sans-serif", "size": 14, "color": "#1b1b1b"},
        "paper_bgcolor": "#fff",
    }
    if not rows:
        layout["annotations"] = [
            {
                "text": "No event of this view has a place",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 18, "color": "#555"},
            }
        ]
    return layout
