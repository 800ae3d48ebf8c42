"""The chart as a still picture: an SVG drawn on the server from the very figure plotly.js draws.

plotly.js takes most of a small page's load time to evaluate and draw, so the
page carries this poster of the figure: on screen at the first paint, before any script, and the whole
chart for a reader without JavaScript. Once plotly.js has drawn the interactive chart over it, the
poster is hidden (static/js/timeline.js, static/css/site.css). Everything it shows (points, colours,
symbols, sizes, link lines and their dashes, the index, axis titles, legend names) is read from the
figure built by readers/figures/chart.py; only the drawing is here. Axis ranges and ticks are chosen the way
plotly.js's autorange does it, closely enough that the swap is a settle, not a jump.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Above this many points (markers and line vertices) the picture would cost the server more time than
# it saves the reader: the chart is then drawn by plotly.js alone. Aggregated views (at most 2,800
# markers) and views of events drawn one by one (up to readers/figures/chart.py's AGGREGATE_THRESHOLD), each with
# an index of at most 1,500 points, stay under it unless thousands of reaction lines join the events.
POSTER_MAX_POINTS = 12_000


@dataclass(frozen=True)
class Frame:
    """The size a poster is drawn at (SVG user units = CSS pixels at that width) and its type sizes."""

    width: int
    height: int
    margin: tuple[int, int, int, int]  # left, right, top, bottom
    font_size: int
    legend_font_size: int
    max_x_ticks: int


# As timeline.js lays plotly.js out: the figure's own height (readers/figures/chart.py takes it from
# here: low enough that the whole chart is in the first screen of a 1280 × 800 window, under the front
# page's explanation) and margins on a wide screen; on a phone
# (max-width 640px) tighter margins and a taller chart (whose legend entries plotly.js draws large
# enough to tap; the picture's legend is no target and keeps a small font that fits its longest name).
WIDE = Frame(width=1000, height=470, margin=(56, 16, 8, 40), font_size=14, legend_font_size=13, max_x_ticks=9)
NARROW = Frame(width=390, height=720, margin=(44, 8, 72, 40), font_size=12, legend_font_size=12, max_x_ticks=4)

LINE_DASHES = {"dot": "2 3", "dash": "6 4", "solid": None}
GRID_COLOUR = "#e6e6e6"
ZERO_COLOUR = "#999"
LEGEND_SAMPLE = 40  # px of a legend entry before its text (plotly.js: the symbol's 30 and two gaps of 5)
CHARACTER_WIDTH = 0.55  # a character of the sans-serif legend text, in ems (an estimate: no font metrics here)
BUBBLE_OPACITY = 0.7
DIAMOND = 1.3  # plotly.js draws a diamond of "size" s with half-diagonal 1.3 × s/2
TICK_SPACING = 40  # px between a linear axis's ticks, at least (plotly.js's own minimum for a y axis)
AXIS_PAD = 0.05  # plotly.js pads an autoranged axis by about 5 % of its span for markers


@dataclass(frozen=True)
class Poster:
    wide: SafeString
    narrow: SafeString


def poster(figure: dict[str, Any]) -> Poster | None:
    """The figure drawn for a wide and for a narrow screen, or None when it has too many points."""
    points = sum(len(trace.get("x", ())) for trace in figure["data"])
    if points > POSTER_MAX_POINTS:
        return None
    days = trace_days(figure)
    return Poster(wide=render(figure, WIDE, days=days), narrow=render(figure, NARROW, days=days))


# --- scales ------------------------------------------------------------------------------------


def _day(value: Any) -> float | None:
    """A date (or an ISO date string) as a day number, None for a gap."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        value = value.date()
    return float(value.toordinal())


def trace_days(figure: dict[str, Any]) -> list[list[float | None]]:
    """Each trace's x values as day numbers, made once for both pictures. An aggregated figure repeats
    each period's date in every category, so each distinct value is converted once."""
    known: dict[Any, float | None] = {}
    days = []
    for trace in figure["data"]:
        values = trace.get("x", ())
        for value in values:
            if value not in known:
                known[value] = _day(value)
        days.append([known[value] for value in values])
    return days


def _span(values: Iterable[float], *, pad: float) -> tuple[float, float]:
    values = list(values)
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    extra = (high - low) * pad
    return low - extra, high + extra


def nice_ticks(low: float, high: float, *, length: float) -> list[float]:
    """Round values covering [low, high] on an axis `length` px long, spaced as plotly.js spaces a linear
    axis's ticks: about one per TICK_SPACING px (4 to 9 intervals), 1, 2 or 5 × 10^k apart."""
    intervals = min(max(length / TICK_SPACING, 4), 9) + 1
    raw = (high - low) / intervals
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


# (months between ticks or None for days, days between ticks, label format); the first that gives at
# most max_x_ticks ticks is used, as plotly.js picks a date axis's dtick.
DATE_STEPS = (
    [(None, 1, "%-d %b"), (None, 7, "%-d %b")]
    + [(months, 0, "%b %Y") for months in (1, 3, 6)]
    + [(12 * years, 0, "%Y") for years in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)]
)
DAYS_PER_MONTH = 30.44


def date_ticks(low: float, high: float, *, max_ticks: int) -> list[tuple[float, str]]:
    """(day number, label) of round dates within [low, high]."""
    first, last = 1, datetime.date.max.toordinal()  # the padded span may pass the calendar's ends
    start = datetime.date.fromordinal(min(max(first, math.ceil(low)), last))
    end = datetime.date.fromordinal(min(max(first, math.floor(high)), last))
    span = (end - start).days
    for months, days, label in DATE_STEPS:
        # Counted before any is made: a span of centuries is not walked a day at a time.
        if span / (months * DAYS_PER_MONTH if months else days) > max_ticks + 1:
            continue
        ticks = list(_date_range(start, end, months=months, days=days))
        if len(ticks) <= max_ticks:
            return [(float(day.toordinal()), day.strftime(label)) for day in ticks]
    return []


def _date_range(start: datetime.date, end: datetime.date, *, months: int | None, days: int) -> Iterator[datetime.date]:
    if months is None:
        for offset in range(0, (end - start).days + 1, days):
            yield start + datetime.timedelta(days=offset)
        return
    index = -(-(start.year * 12 + start.month - 1) // months) * months  # the first round month from start
    while index // 12 <= datetime.MAXYEAR:
        day = datetime.date(index // 12, index % 12 + 1, 1)
        if day > end:
            return
        if day >= start:
            yield day
        index += months


class Axis:
    """A linear map from data to pixels."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        # A range of one value (a figure's own fixed range, say) is drawn as one unit around it.
        self.low, self.high = (low, high) if high != low else (low - 0.5, low + 0.5)
        self.start, self.end = start, end
        self.scale = (end - start) / (self.high - self.low)

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) * self.scale

    def pixels(self, values: Iterable[float | None]) -> list[int | None]:
        """Many values at once, to whole pixels (None stays a gap): the paths are drawn in pixels."""
        low, start, scale = self.low, self.start, self.scale
        return [None if value is None else round(start + (value - low) * scale) for value in values]


# --- drawing -----------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _list(value: Any, length: int) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value] * length


def _marker(x: float, y: float, *, size: float, symbol: str, colour: str, line: dict[str, Any]) -> str:
    radius = size / 2
    hollow = symbol.endswith("-open")
    fill = "none" if hollow else colour
    stroke = colour if hollow else line.get("color", "#222")
    width = max(float(line.get("width", 1)), 1.5 if hollow else 0)
    paint = f'fill="{escape(fill)}" stroke="{escape(stroke)}" stroke-width="{_n(width)}"'
    if symbol.startswith("diamond"):
        r = radius * DIAMOND
        corners = f"{_n(x)},{_n(y - r)} {_n(x + r)},{_n(y)} {_n(x)},{_n(y + r)} {_n(x - r)},{_n(y)}"
        return f'<polygon points="{corners}" {paint}/>'
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius)}" {paint}/>'


def _path(points: list[tuple[int, int] | None], *, step: bool) -> str:
    """An SVG path through the points (whole pixels), broken at None (plotly.js's gaps); `step` draws
    plotly's "hv".

    Each point relative to the one before: a few bytes a point, which gzip shrinks further, where
    absolute coordinates would make the picture of a few thousand points weigh more than the page."""
    commands, previous = [], None
    for point in points:
        if point is None:
            previous = None
            continue
        x, y = point
        if previous is None:
            commands.append(f"M{x} {y}")
        elif step:
            dx, dy = x - previous[0], y - previous[1]
            commands.append((f"h{dx}" if dx else "") + (f"v{dy}" if dy else ""))
        else:
            commands.append(f"l{x - previous[0]} {y - previous[1]}")
        previous = point
    return "".join(commands)


class MarkerDefs:
    """The <marker>s of one picture: each look of a marker (shape, size, colours) defined once and drawn
    by the browser at every vertex of a path, in the path's order, as plotly.js draws its markers. The
    ids carry the frame's name: both pictures are in one page."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.ids: dict[str, str] = {}

    def id_of(self, shape: str) -> str:
        if shape not in self.ids:
            self.ids[shape] = f"{self.prefix}{len(self.ids)}"
        return self.ids[shape]

    def svg(self) -> str:
        # Drawn around the vertex, in the plot's own units, never clipped to a marker box.
        return "".join(
            f'<marker id="{ident}" markerUnits="userSpaceOnUse" markerWidth="1" markerHeight="1" overflow="visible">'
            f"{shape}</marker>"
            for shape, ident in self.ids.items()
        )


def _stroke(line: dict[str, Any]) -> str:
    """A trace's line as SVG stroke attributes."""
    dash = LINE_DASHES.get(line.get("dash", "solid"))
    width = _n(float(line.get("width", 1.5)))
    attributes = f'fill="none" stroke="{escape(line.get("color", "#444"))}" stroke-width="{width}"'
    return attributes + (f' stroke-dasharray="{dash}"' if dash else "")


def _trace_marker(marker: dict[str, Any], point: tuple[float, float], *, size: float, symbol: str) -> str:
    return _marker(*point, size=size, symbol=symbol, colour=marker.get("color", "#444"), line=marker.get("line", {}))


def _markers(trace: dict[str, Any], points: list[tuple[int, int] | None], defs: MarkerDefs) -> list[str]:
    """A trace's markers: one path a look (size and symbol), a marker drawn at each of its vertices."""
    marker = trace.get("marker", {})
    sizes = _list(marker.get("size", 6), len(points))
    symbols = _list(marker.get("symbol", "circle"), len(points))
    # A bubble's size to the nearest pixel: the looks of an aggregated trace stay a few dozen.
    looks: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for point, size, symbol in zip(points, sizes, symbols, strict=False):
        if point is not None:
            looks[round(float(size)), symbol].append(point)
    parts = [f"<g{_opacity(trace)}>"]
    for (size, symbol), at in looks.items():
        ident = defs.id_of(_trace_marker(marker, (0, 0), size=size, symbol=symbol))
        # A lone moveto has one vertex: markers are drawn at it as at any other.
        use = f"url(#{ident})"
        vertices = _path(at, step=False)
        parts.append(f'<path d="{vertices}" fill="none" marker-start="{use}" marker-mid="{use}" marker-end="{use}"/>')
    parts.append("</g>")
    return parts


def _legend_sample(trace: dict[str, Any], x: float, y: float) -> str:
    if "markers" in trace.get("mode", ""):
        marker = trace.get("marker", {})
        return _trace_marker(marker, (x + 10, y), size=10, symbol=_list(marker.get("symbol", "circle"), 1)[0])
    return f'<path d="M{_n(x)},{_n(y)}H{_n(x + 24)}" {_stroke(trace.get("line", {}))}/>'


def _legend(traces: list[dict[str, Any]], frame: Frame) -> tuple[list[tuple[dict, float, int]], int]:
    """Where each legend entry goes, (trace, x, row), and how many rows: as plotly.js lays out a
    horizontal legend, one row if every entry fits, else a grid whose columns are the widest entry's."""
    shown = [trace for trace in traces if trace.get("showlegend") is not False]
    widths = [LEGEND_SAMPLE + len(trace.get("name", "")) * frame.legend_font_size * CHARACTER_WIDTH for trace in shown]
    left, available = frame.margin[0], frame.width - frame.margin[0] - frame.margin[1]
    if sum(widths) <= available:
        starts = [left + sum(widths[:i]) for i in range(len(shown))]
        return [(trace, x, 0) for trace, x in zip(shown, starts, strict=True)], (1 if shown else 0)
    columns = max(1, int(available // max(widths)))
    placed = [(trace, left + (i % columns) * max(widths), i // columns) for i, trace in enumerate(shown)]
    return placed, math.ceil(len(shown) / columns)


def _opacity(trace: dict[str, Any]) -> str:
    """plotly.js draws markers of varying size ("bubbles") at 70 % opacity unless told otherwise."""
    marker = trace.get("marker", {})
    bubble = isinstance(marker.get("size"), list | tuple) and "lines" not in trace.get("mode", "")
    opacity = marker.get("opacity", BUBBLE_OPACITY if bubble else 1)
    return f' opacity="{_n(float(opacity))}"' if opacity != 1 else ""


@dataclass(frozen=True)
class Plot:
    """Where the plot area lies in a frame, once the legend has taken its rows."""

    left: float
    right: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def render(figure: dict[str, Any], frame: Frame, *, days: list[list[float | None]] | None = None) -> SafeString:
    """The figure as one <svg> drawn for `frame`, given its trace_days() if at hand. Every text from the
    figure is escaped."""
    data, layout = figure["data"], figure["layout"]
    days = trace_days(figure) if days is None else days
    # plotly.js shows a legend for two traces or more, unless the layout says otherwise.
    legend, rows = _legend(data if layout.get("showlegend", len(data) > 1) else [], frame)
    row_height = frame.legend_font_size * 1.5
    left, right, top, bottom = frame.margin
    # The bottom margin holds the date labels; the legend goes under them, and the plot gives way to it.
    plot = Plot(left=left, right=frame.width - right, top=top, bottom=frame.height - bottom - rows * row_height)
    parts = [f'<rect width="{frame.width}" height="{frame.height}" fill="#fff"/>']
    every_day = [day for trace in days for day in trace if day is not None]
    defs = MarkerDefs(f"poster-{'narrow' if frame is NARROW else 'wide'}-")
    axes: dict[str, Axis] = {}
    if every_day:
        x_low, x_high = _span(every_day, pad=AXIS_PAD)
        x = axes["x"] = Axis(x_low, x_high, plot.left, plot.right)
        y_axes = _y_axes(data, layout, plot, frame, parts)
        axes |= y_axes
        for day, label in date_ticks(x_low, x_high, max_ticks=frame.max_x_ticks):
            px = _n(x(day))
            parts.append(f'<path d="M{px},{plot.top}V{_n(plot.bottom)}" stroke="{GRID_COLOUR}"/>')
            parts.append(
                format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', px, _n(plot.bottom + 18), label)
            )
        for trace, trace_day in zip(data, days, strict=True):
            y = y_axes.get(trace.get("yaxis", "y"))
            if y is not None:
                parts += _trace(trace, trace_day, x, y, defs)
        legend_top = plot.bottom + bottom - row_height / 2
        for trace, lx, row in legend:
            ly = legend_top + row * row_height
            parts.append(_legend_sample(trace, lx, ly))
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}">{}</text>',
                    _n(lx + 30),
                    _n(ly + frame.legend_font_size / 3),
                    frame.legend_font_size,
                    trace.get("name", ""),
                )
            )
    else:  # nothing to draw: what the layout says instead ("No events match these filters")
        for note in layout.get("annotations", ()):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="18" fill="#555">{}</text>',
                    frame.width / 2,
                    frame.height / 2,
                    note.get("text", ""),
                )
            )
    parts.insert(1, defs.svg())
    parts.insert(
        0,
        format_html(
            # aria-hidden: what the chart shows is said in words beside it (#chart-text), for every reader.
            '<svg class="chart-poster__{}" viewBox="0 0 {} {}" preserveAspectRatio="xMidYMin meet" aria-hidden="true" '
            'focusable="false" font-family="system-ui, sans-serif" font-size="{}" fill="#1b1b1b"{}>',
            "narrow" if frame is NARROW else "wide",
            frame.width,
            frame.height,
            frame.font_size,
            axis_attributes(axes),
        ),
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above went through format_html/escape


def axis_attributes(axes: dict[str, Axis]) -> SafeString:
    """Each axis's map from data to the picture's units, for static/js/chart-poster.js to find the figure's
    point under the pointer: data-x (day numbers, as date.toordinal()), data-y, data-y2, each
    "low high start end" (data values low…high drawn from start to end)."""
    return mark_safe(  # noqa: S308 — numbers only
        "".join(
            f' data-{ref}="{axis.low!r} {axis.high!r} {_n(axis.start)} {_n(axis.end)}"' for ref, axis in axes.items()
        )
    )


def _y_axes(data: list[dict], layout: dict[str, Any], plot: Plot, frame: Frame, parts: list[str]) -> dict[str, Axis]:
    """The figure's y axes ("y", and "y2" when the layout has one), their grid, ticks and titles drawn."""
    axes: dict[str, Axis] = {}
    for ref, key in (("y", "yaxis"), ("y2", "yaxis2")):
        settings = layout.get(key, {} if ref == "y" else None)  # plotly.js always has a first y axis
        if settings is None:
            continue
        values = [
            float(v) for trace in data if trace.get("yaxis", "y") == ref for v in trace.get("y", ()) if v is not None
        ]
        if "range" in settings:
            low, high = settings["range"]
        elif values:
            low, high = _span([*values, 0.0], pad=AXIS_PAD)
        else:
            low, high = 0.0, 1.0
        domain_low, domain_high = settings.get("domain", (0, 1))
        axis = axes[ref] = Axis(
            low, high, plot.bottom - domain_low * plot.height, plot.bottom - domain_high * plot.height
        )
        for tick in nice_ticks(low, high, length=(domain_high - domain_low) * plot.height):
            py = _n(axis(tick))
            colour = ZERO_COLOUR if tick == 0 and settings.get("zeroline") else settings.get("gridcolor", GRID_COLOUR)
            parts.append(f'<path d="M{plot.left},{py}H{plot.right}" stroke="{escape(colour)}"/>')
            parts.append(f'<text x="{plot.left - 6}" y="{py}" dy="4" text-anchor="end">{_n(tick)}</text>')
        title = (settings.get("title") or {}).get("text")
        if title:
            middle = _n((axis.start + axis.end) / 2)
            transform = f"translate({frame.font_size},{middle}) rotate(-90)"
            parts.append(format_html('<text transform="{}" text-anchor="middle">{}</text>', transform, title))
    return axes


def _trace(trace: dict[str, Any], days: list[float | None], x: Axis, y: Axis, defs: MarkerDefs) -> list[str]:
    """One scatter trace (its x values as day numbers): its fill to zero, its line and its markers, in
    plotly.js's order."""
    parts = []
    ys = y.pixels(None if value is None else float(value) for value in trace.get("y", ()))
    points = [None if px is None or py is None else (px, py) for px, py in zip(x.pixels(days), ys, strict=False)]
    mode, line = trace.get("mode", ""), trace.get("line", {})
    step = line.get("shape") == "hv"
    drawn = [point for point in points if point is not None]
    # The line and the fill's outline are one path when the line has no gaps (the index has none).
    line_path = _path(points, step=step) if "lines" in mode else None
    if trace.get("fill") == "tozeroy" and drawn:
        base, fill = round(y(0.0)), escape(trace.get("fillcolor", "none"))
        whole = line_path if line_path is not None and len(drawn) == len(points) else _path(drawn, step=step)
        outline = whole.removeprefix("M")
        parts.append(f'<path d="M{drawn[0][0]} {base}L{outline}V{base}Z" fill="{fill}"/>')
    if line_path is not None:
        parts.append(f'<path d="{line_path}" {_stroke(line)}/>')
    if "markers" in mode:
        parts += _markers(trace, points, defs)
    return parts
