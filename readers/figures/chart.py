"""The one place that builds the timeline's Plotly figure from a filtered queryset of events.

The figure is a plain dict (Plotly's JSON schema) that the page puts in a <script type="application/json">
element and static/js/timeline.js draws. Two panels share the x-axis: the events (y = escalation,
colour = category, diamonds for reactions joined by a line to what they respond to) and, under them,
the tension index of the same events.

Above AGGREGATE_THRESHOLD events the top panel shows one marker per period and category, counted and
summed in the database, so neither the rows loaded into Python nor the JSON sent to the browser grow
with the number of events.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.urls import reverse

from events.models import (
    BASIS_JUDGEMENT,
    BASIS_SOURCE,
    Event,
    EventActor,
    EventType,
    Reaction,
    event_path_parts,
)
from events.summary import PeriodTotal, Summary, event_period_totals
from events.tension import DailyTotals, IndexPoint, Weighting, tension_index
from readers.figures.poster import WIDE, Poster, poster

AGGREGATE_THRESHOLD = 5000
# The aggregated view picks the finest period that gives at most this many periods.
MAX_PERIODS = 400

# Colour-blind-safe (Okabe–Ito) colours, one per category, in the taxonomy's order.
CATEGORY_COLOURS = {
    EventType.Category.MILITARY_POSTURE: "#D55E00",
    EventType.Category.WARNING: "#E69F00",
    EventType.Category.STATEMENT: "#56B4E9",
    EventType.Category.ECONOMIC: "#CC79A7",
    EventType.Category.DIPLOMATIC: "#0072B2",
    EventType.Category.INCIDENT: "#B2182B",
    EventType.Category.DE_ESCALATION: "#009E73",
}
CATEGORY_LABELS = dict(EventType.Category.choices)

# How a reaction line is drawn, by the basis of its link (see Reaction.basis_kind); "" is a link that
# gives none yet, which check_record reports and publishing refuses.
LINK_STYLES = {
    BASIS_SOURCE: ("Reaction link: a source says so", "solid"),
    BASIS_JUDGEMENT: ("Reaction link: editors' judgement (dotted)", "dot"),
    "": ("Reaction link: no basis given yet (dashed)", "dash"),
}


def link_basis() -> Case:
    """Reaction.basis_kind in SQL, so that a link's judgement text is not fetched to draw its line."""
    return Case(
        When(basis_source__isnull=False, then=Value(BASIS_SOURCE)),
        When(~Q(basis_judgement=""), then=Value(BASIS_JUDGEMENT)),
        default=Value(""),
        output_field=CharField(),
    )


PERIODS = [
    # (name, truncation, approximate days, label format)
    ("week", TruncWeek, 7, "week of {day} {month} {year}"),
    ("month", TruncMonth, 31, "{month} {year}"),
    ("quarter", TruncQuarter, 92, "Q{quarter} {year}"),
    ("year", TruncYear, 366, "{year}"),
]


@dataclass
class Chart:
    figure: dict[str, Any]
    aggregated: bool
    period: str | None  # "week", "month"… when aggregated
    event_count: int
    first: datetime.date | None
    last: datetime.date | None
    # What the chart shows, for its text summary: the index's points and the events per category.
    index: list[IndexPoint] = field(default_factory=list)
    weighting: Weighting = field(default_factory=Weighting)
    totals: DailyTotals | None = None  # per day: the events counted, their weights summed
    categories: list[tuple[str, int]] = field(default_factory=list)

    @cached_property
    def poster(self) -> Poster | None:
        """The figure as a still picture for the first paint and for readers without JavaScript."""
        return poster(self.figure)


def build_chart(
    events: QuerySet,
    *,
    query: str = "",
    threshold: int | None = None,
    summary: Summary | None = None,
    weighting: Weighting | None = None,
) -> Chart:
    """The figure for these (already filtered, public) events; `query` is the filter's query string,
    kept in the links of aggregated markers and index points; `weighting` is the view's rule for the
    index (the default rule when not given). With `summary` (the same view's per-day totals, see
    events/summary.py, which carry the view's rule) the count, span, index and aggregated markers come
    from the totals."""
    events = events.order_by()
    weighting = summary.weighting if summary else weighting or Weighting()
    # One pass gives the count, the span and the index: each costs a scan at 1M rows.
    totals = summary.daily_totals() if summary else DailyTotals.of(events, weighting)
    count, first, last = totals.event_count, totals.first, totals.last
    if count > (AGGREGATE_THRESHOLD if threshold is None else threshold):
        name, trunc, _ = choose_period(first, last)
        rows = summary.period_totals(trunc) if summary else period_totals(events, trunc)
        traces, period = aggregated_traces(rows, name, query), name
    else:
        # With nothing to draw, the same (empty) traces without three more scans of the filtered events.
        traces, period = event_traces(events if count else events.none()), None
    points = tension_index(totals=totals)
    traces.append(index_trace(points, query))
    figure_layout = layout(aggregated=period is not None, period=period)
    if count == 0:
        # An empty plot with a year-2000 axis reads like a bug: say plainly that nothing matches.
        figure_layout["annotations"] = [
            {
                "text": "No events match these filters",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.65,
                "font": {"size": 18, "color": "#555"},
            }
        ]
        figure_layout["xaxis"]["visible"] = False
    return Chart(
        figure={"data": traces, "layout": figure_layout},
        aggregated=period is not None,
        period=period,
        event_count=count,
        first=first,
        last=last,
        index=points,
        weighting=weighting,
        totals=totals,
        categories=category_counts(traces, aggregated=period is not None),
    )


def category_counts(traces: list[dict[str, Any]], *, aggregated: bool) -> list[tuple[str, int]]:
    """Events per category, read off the event traces (one per category, in the taxonomy's order)."""
    counts = []
    for trace in traces:
        if trace["name"] in CATEGORY_LABELS.values() and trace.get("customdata"):
            n = sum(row[3] for row in trace["customdata"]) if aggregated else len(trace["x"])
            counts.append((trace["name"], n))
    return counts


def event_traces(events: QuerySet) -> list[dict[str, Any]]:
    """One marker per event: a trace per category (for the legend), plus the reaction lines."""
    rows = list(
        events.values(
            "id",
            "slug",
            "title",
            "date",
            "date_precision",
            "escalation",
            "status",
            "event_type__name",
            "event_type__category",
        ).order_by("date", "id")
    )
    ids = [row["id"] for row in rows]
    sides: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for event_id, name, role in (
        EventActor.objects.filter(event__in=events)
        .order_by("role", "actor__name")
        .values_list("event_id", "actor__name", "role")
    ):
        sides[event_id][role].append(name)
    actors = {
        event_id: actors_line(by_role[EventActor.Role.INITIATOR], by_role[EventActor.Role.TARGET])
        for event_id, by_role in sides.items()
    }
    # Only links between public events: a published reaction to a draft must not reveal the draft,
    # not even by its marker's shape.
    links = list(
        Reaction.objects.filter(event__in=events)
        .to_public_events()
        .annotate(basis=link_basis())
        .order_by()
        .values_list("event_id", "responds_to_id", "basis")
    )
    is_reaction = {event_id for event_id, _, _ in links}
    position = {row["id"]: (row["date"], float(row["escalation"])) for row in rows}
    url_prefix, url_suffix = event_path_parts()

    by_category: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_category[row["event_type__category"]].append(row)

    traces: list[dict[str, Any]] = []
    # Lines first, so markers are drawn over them; one trace per kind of basis, so that the legend
    # says which lines rest on a source (solid) and which on the editors' judgement (dotted).
    lines: dict[str, tuple[list[Any], list[Any]]] = {basis: ([], []) for basis in LINK_STYLES}
    for reaction_id, original_id, basis in links:
        if reaction_id in position and original_id in position:
            (x0, y0), (x1, y1) = position[original_id], position[reaction_id]
            line_x, line_y = lines[basis]
            line_x += [x0, x1, None]  # None breaks the line between two links
            line_y += [y0, y1, None]
    for basis, (name, dash) in LINK_STYLES.items():
        line_x, line_y = lines[basis]
        if not line_x and basis != BASIS_SOURCE:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": line_x,
                "y": line_y,
                "line": {"color": "rgba(80,80,80,0.7)", "width": 1.4, "dash": dash},
                "hoverinfo": "skip",
                "xaxis": "x",
                "yaxis": "y",
            }
        )
    for category, label in EventType.Category.choices:
        # Plain events first: the legend draws a category with its first point's symbol (a circle).
        members = sorted(by_category.get(category, []), key=lambda row: row["id"] in is_reaction)
        if not members:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": [row["date"] for row in members],
                "y": [float(row["escalation"]) for row in members],
                "marker": {
                    "color": CATEGORY_COLOURS[category],
                    "size": [13 if row["id"] in is_reaction else 10 for row in members],
                    "symbol": [symbol(row, row["id"] in is_reaction) for row in members],
                    "line": {"color": "#222", "width": 1},
                },
                # customdata: [event URL, date at its precision, title, actors, type], all escaped:
                # Plotly renders hover text as HTML-ish markup.
                "customdata": [
                    [
                        f"{url_prefix}{row['slug']}{url_suffix}",
                        escape(Event(date=row["date"], date_precision=row["date_precision"]).date_display),
                        escape(("[Retracted] " if row["status"] == Event.Status.RETRACTED else "") + row["title"]),
                        escape(actors.get(row["id"]) or "—"),
                        escape(row["event_type__name"]) + (" · reaction" if row["id"] in is_reaction else ""),
                    ]
                    for row in members
                ],
                "hovertemplate": (
                    "%{customdata[1]}<br><b>%{customdata[2]}</b><br>%{customdata[3]}<br>"
                    "%{customdata[4]} · escalation %{y}<extra></extra>"
                ),
                "xaxis": "x",
                "yaxis": "y",
            }
        )
    if ids and is_reaction & set(ids):
        # A legend entry that explains the diamonds; it has no points of its own.
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "◆ a reaction",
                "x": [None],
                "y": [None],
                "marker": {"symbol": "diamond", "color": "#888", "size": 11, "line": {"color": "#222", "width": 1}},
                "hoverinfo": "skip",
                "xaxis": "x",
                "yaxis": "y",
            }
        )
    return traces


def actors_line(initiators: list[str], targets: list[str]) -> str:
    """"European Union, Lithuania → Russia", as the events table writes it: the arrow stands between the
    two sides, never after a comma."""
    line = ", ".join(initiators)
    return f"{line} → {', '.join(targets)}".strip() if targets else line


def symbol(row: dict, reaction: bool) -> str:
    shape = "diamond" if reaction else "circle"
    return f"{shape}-open" if row["status"] == Event.Status.RETRACTED else shape


def choose_period(first: datetime.date, last: datetime.date) -> tuple[str, Any, str]:
    days = (last - first).days + 1
    for name, trunc, length, label in PERIODS:
        if days / length <= MAX_PERIODS:
            return name, trunc, label
    return PERIODS[-1][0], PERIODS[-1][1], PERIODS[-1][3]


def period_label(template: str, start: datetime.date) -> str:
    return template.format(
        day=start.day, month=start.strftime("%B"), year=start.year, quarter=(start.month - 1) // 3 + 1
    )


def period_end(name: str, start: datetime.date) -> datetime.date:
    if name == "week":
        return start + datetime.timedelta(days=6)
    if name == "year":
        return start.replace(month=12, day=31)
    months = 1 if name == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return datetime.date(start.year + year, month + 1, 1) - datetime.timedelta(days=1)


def period_totals(events: QuerySet, trunc) -> list[PeriodTotal]:
    """The exact per-event path of the aggregation: events counted and summed per period and category."""
    return [PeriodTotal(*row) for row in sorted(event_period_totals(events, trunc))]


def aggregated_traces(rows: list[PeriodTotal], name: str, query: str) -> list[dict[str, Any]]:
    """One marker per period and category: y = mean escalation, size = number of events.

    Counted and summed in the database; at most MAX_PERIODS × 7 rows come back, whatever the count.
    A click opens the timeline narrowed to that period and category.
    """
    label = next(template for period, _, _, template in PERIODS if period == name)
    base = [
        (key, value) for key, value in _parse_query(query) if key not in ("date_from", "date_to", "category", "page")
    ]
    # The reader's other filters, encoded once; the period's dates and the category need no escaping.
    kept = urlencode(base) + "&" if base else ""
    by_category: dict[str, list[PeriodTotal]] = defaultdict(list)
    for row in rows:
        by_category[row.category].append(row)
    largest = max((row.events for row in rows), default=1)
    # Each period's start (as the JSON will write it), dates and label, made once and shared by its (up
    # to seven) categories' markers.
    periods = {
        start: (
            start.isoformat(),
            f"date_from={start.isoformat()}&date_to={period_end(name, start).isoformat()}",
            escape(period_label(label, start)),
        )
        for start in {row.period for row in rows}
    }
    traces: list[dict[str, Any]] = []
    for category, category_label in EventType.Category.choices:
        members = by_category.get(category, [])
        if not members:
            continue
        escaped_label = escape(category_label)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": category_label,
                "x": [periods[row.period][0] for row in members],
                "y": [round(float(row.escalation / row.events), 2) for row in members],
                "marker": {
                    "color": CATEGORY_COLOURS[category],
                    "size": [6 + 24 * (row.events / largest) ** 0.5 for row in members],
                    "line": {"color": "#222", "width": 1},
                },
                "customdata": [
                    [
                        f"?{kept}{periods[row.period][1]}&category={category}",
                        periods[row.period][2],
                        escaped_label,
                        row.events,
                        str(row.escalation),
                    ]
                    for row in members
                ],
                "hovertemplate": (
                    "%{customdata[1]}<br><b>%{customdata[2]}</b>: %{customdata[3]} events<br>"
                    "mean escalation %{y} · sum %{customdata[4]}<extra></extra>"
                ),
                "xaxis": "x",
                "yaxis": "y",
            }
        )
    return traces


def index_trace(points: list[IndexPoint], query: str) -> dict[str, Any]:
    """The tension index under the events; a click on a point lists the events of its window.

    The window page's address is given once (in `meta`) rather than per point: timeline.js adds
    `end=<the day clicked>`."""
    base = [(key, value) for key, value in _parse_query(query) if key not in ("end", "page")]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "Tension index (30 days)",
        "x": [p.day.isoformat() for p in points],  # as the JSON encoder writes a date, without its per-value call
        "y": [float(p.value) for p in points],
        "line": {"color": "#444", "width": 1.5, "shape": "hv"},
        "marker": {"size": 4, "color": "#444"},
        "fill": "tozeroy",
        "fillcolor": "rgba(213,94,0,0.15)",
        "meta": {"window_url": f"{reverse('events:tension_window')}?{urlencode(base)}"},
        "hovertemplate": "30 days to %{x|%-d %b %Y}<br>index %{y:.1f}<br>click: which events?<extra></extra>",
        "xaxis": "x",
        "yaxis": "y2",
        "showlegend": False,
    }


def _parse_query(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=False)


def layout(*, aggregated: bool, period: str | None) -> dict[str, Any]:
    return {
        "margin": {"l": 56, "r": 16, "t": 8, "b": 40},
        "height": WIDE.height,
        "hovermode": "closest",
        "dragmode": "zoom",
        # "normal": one wrapped row after another (the default groups them into one tall column).
        "legend": {"orientation": "h", "traceorder": "normal", "y": -0.08, "x": 0, "font": {"size": 13}},
        "font": {"family": "system-ui, sans-serif", "size": 14, "color": "#1b1b1b"},
        "plot_bgcolor": "#fff",
        "paper_bgcolor": "#fff",
        "xaxis": {
            "type": "date",
            "anchor": "y2",
            "showgrid": True,
            "gridcolor": "#e6e6e6",
            "rangeselector": {
                "buttons": [
                    {"count": 1, "label": "1 month", "step": "month", "stepmode": "backward"},
                    {"count": 6, "label": "6 months", "step": "month", "stepmode": "backward"},
                    {"count": 1, "label": "1 year", "step": "year", "stepmode": "backward"},
                    {"step": "all", "label": "all"},
                ],
                "x": 0,
                "y": 1.0,
                "yanchor": "bottom",
            },
        },
        "yaxis": {
            "domain": [0.36, 0.94],
            "title": {"text": f"mean escalation per {period}" if aggregated else "escalation"},
            "range": [-10.5, 10.5],
            "zeroline": True,
            "zerolinecolor": "#999",
            "gridcolor": "#e6e6e6",
            "fixedrange": False,
        },
        "yaxis2": {
            "domain": [0, 0.28],
            "title": {"text": "tension index"},
            "zeroline": True,
            "zerolinecolor": "#999",
            "gridcolor": "#e6e6e6",
        },
    }
