"""The vendored plotly.js bundles: the installed plotly's version, and every trace and component the app draws.

Each page loads one bundle (static/vendor/plotly/, refreshed by scripts/vendor-plotly). A bundle only
knows the trace types and components registered in it; a figure with another type draws nothing in the
browser, and a layout part whose component is missing (a menu, a colour bar…) is silently left out. So
every figure the app builds is checked against what is registered in the bundle its page loads, read
from the bundle file itself.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import plotly.offline
import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from events.models import Event
from events.selectors import event_filter
from readers.figures.chart import build_chart
from tests import factories

D = datetime.date
VENDOR = "vendor/plotly"
# Each bundle and the npm package it comes from (VERSIONS records it): the timeline's is built from
# plotly.js itself (scripts/build-plotly-timeline.js), the map's is plotly.js's own geo distribution.
BUNDLES = {"plotly-timeline.min.js": "plotly.js", "plotly-geo.min.js": "plotly.js-geo-dist-min"}
# Layout parts drawn by a component of their own, and where a figure says it uses them.
LAYOUT_COMPONENTS = ("annotations", "shapes", "images", "updatemenus", "sliders", "grid", "selections")
AXIS_COMPONENTS = ("rangeselector", "rangeslider")
# A <script src>, or the timeline's preload and chart-loader.js's data-plotly (it adds the script itself).
BUNDLE_SCRIPT = re.compile(r'(?:<script src|rel="preload" href|data-plotly)="/static/(vendor/plotly/[^"]+\.js)"')


def bundle_file(name: str) -> Path:
    path = finders.find(f"{VENDOR}/{name}")
    assert path, f"{VENDOR}/{name} is one of our static files"
    return Path(path)


def registered(bundle: Path, module_type: str) -> set[str]:
    """The modules of a type the bundle registers: each is an object with moduleType:"…",name:"…"."""
    return set(re.findall(rf'moduleType:"{module_type}",name:"(\w+)"', bundle.read_text(encoding="utf-8")))


def registered_trace_types(bundle: Path) -> set[str]:
    return registered(bundle, "trace")


def components_used(figure: dict) -> set[str]:
    """The plotly.js components a figure needs beyond the always-present axes, hover and legend."""
    layout = figure["layout"]
    used = {name for name in LAYOUT_COMPONENTS if layout.get(name)}
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key):
            used |= {name for name in AXIS_COMPONENTS if axis.get(name)}
    for trace in figure["data"]:
        if trace.get("error_x") or trace.get("error_y"):
            used.add("errorbars")
        marker = trace.get("marker", {})
        if marker.get("showscale") or marker.get("colorbar"):
            used.add("colorbar")
    return used


def page_bundle(client: Client, url: str) -> Path:
    """The one plotly.js bundle the page at `url` loads."""
    html = client.get(url).content.decode()
    bundles = set(BUNDLE_SCRIPT.findall(html))
    assert len(bundles) == 1, f"{url} loads exactly one plotly.js bundle, not {bundles}"
    return bundle_file(bundles.pop().removeprefix(f"{VENDOR}/"))


@pytest.mark.parametrize("name", BUNDLES)
def test_each_vendored_bundle_is_the_plotly_js_of_the_installed_plotly_package(name: str):
    version = plotly.offline.get_plotlyjs_version()
    with bundle_file(name).open(encoding="utf-8") as bundle:
        head = bundle.read(300)
    assert re.search(rf"plotly\.js \(\w+ - minified\) v{re.escape(version)}\b", head), head
    versions = (bundle_file(name).parent / "VERSIONS").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(BUNDLES[name])}\s+{re.escape(version)}\s", versions, re.M)


def test_the_bundles_register_their_trace_types_as_the_test_reads_them():
    # Guards the reader above: if a new plotly.js wrote its modules differently, the sets would be empty
    # and the next test would fail for the wrong reason.
    assert registered_trace_types(bundle_file("plotly-timeline.min.js")) == {"scatter"}
    assert "scattergeo" in registered_trace_types(bundle_file("plotly-geo.min.js"))
    assert {"legend", "fx", "annotations"} <= registered(bundle_file("plotly-timeline.min.js"), "component")
    assert "colorbar" in registered(bundle_file("plotly-geo.min.js"), "component")


def figures_of_the_timeline() -> list[dict]:
    """Every kind of figure `/` draws: events one by one (with a reaction and a retraction), aggregated,
    and empty."""
    shown = event_filter(params={"include_retracted": "on"}).qs
    first = factories.published_event(slug="first", date=D(2024, 3, 8), initiator="NATO", target="Russia")
    second = factories.published_event(slug="second", type="official-warning", date=D(2024, 3, 9))
    factories.reaction(second, first)
    gone = factories.published_event(slug="gone", date=D(2024, 4, 1))
    gone.status, gone.retraction_note = Event.Status.RETRACTED, "The report was withdrawn."
    gone.save()
    return [
        build_chart(shown).figure,
        build_chart(shown, threshold=1).figure,
        build_chart(shown.none()).figure,
    ]


@pytest.mark.django_db
def test_every_figure_of_the_timeline_uses_only_trace_types_of_the_bundle_the_page_loads(client):
    available = registered_trace_types(page_bundle(client, "/"))
    figures = figures_of_the_timeline()
    used = {trace.get("type", "scatter") for figure in figures for trace in figure["data"]}
    assert used, "the figures have traces"
    assert used <= available, f"trace types {used - available} are not in the timeline's bundle"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/embed/"])
def test_every_component_the_charts_use_is_in_the_bundle_the_page_loads(client, url: str):
    available = registered(page_bundle(client, url), "component")
    needed = set().union(*(components_used(figure) for figure in figures_of_the_timeline()))
    assert {"annotations", "rangeselector"} <= needed, "the figures use the components this test reads"
    assert needed <= available, f"components {needed - available} are not in {url}'s bundle"


@pytest.mark.django_db
def test_the_timeline_loads_its_own_bundle_and_not_the_full_plotly_js(client):
    assert page_bundle(client, "/").name == "plotly-timeline.min.js"
    assert finders.find(f"{VENDOR}/plotly.min.js") is None, "the 4.8 MB full bundle is not shipped"
