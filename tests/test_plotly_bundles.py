"""The vendored plotly.js partial bundles: the installed plotly's version, and every trace the app draws.

Each page loads one bundle (static/vendor/plotly/, refreshed by scripts/vendor-plotly). A bundle only
knows the trace types registered in it; a figure with another type draws nothing in the browser. So
every figure the app builds is checked against the trace types registered in the bundle its page
loads, read from the bundle file itself.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import plotly.offline
import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from events.chart import build_chart
from events.models import Event
from events.selectors import event_filter
from tests import factories

D = datetime.date
VENDOR = "vendor/plotly"
BUNDLES = ("plotly-basic.min.js", "plotly-geo.min.js")
# A <script src>, or the timeline's preload and chart-loader.js's data-plotly (it adds the script itself).
BUNDLE_SCRIPT = re.compile(r'(?:<script src|rel="preload" href|data-plotly)="/static/(vendor/plotly/[^"]+\.js)"')


def bundle_file(name: str) -> Path:
    path = finders.find(f"{VENDOR}/{name}")
    assert path, f"{VENDOR}/{name} is one of our static files"
    return Path(path)


def registered_trace_types(bundle: Path) -> set[str]:
    """The trace modules the bundle registers: each is an object with moduleType:"trace",name:"…"."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle.read_text(encoding="utf-8")))


def page_bundle(client: Client, url: str) -> Path:
    """The one plotly.js bundle the page at `url` loads."""
    html = client.get(url).content.decode()
    bundles = set(BUNDLE_SCRIPT.findall(html))
    assert len(bundles) == 1, f"{url} loads exactly one plotly.js bundle, not {bundles}"
    return bundle_file(bundles.pop().removeprefix(f"{VENDOR}/"))


@pytest.mark.parametrize("name", BUNDLES)
def test_each_vendored_bundle_is_the_plotly_js_of_the_installed_plotly_package(name):
    version = plotly.offline.get_plotlyjs_version()
    with bundle_file(name).open(encoding="utf-8") as bundle:
        head = bundle.read(300)
    assert re.search(rf"plotly\.js \(\w+ - minified\) v{re.escape(version)}\b", head), head
    versions = (bundle_file(name).parent / "VERSIONS").read_text(encoding="utf-8")
    npm_name = f"plotly.js-{name.removeprefix('plotly-').removesuffix('.min.js')}-dist-min"
    assert re.search(rf"^{re.escape(npm_name)}\s+{re.escape(version)}\s", versions, re.M)


def test_the_bundles_register_their_trace_types_as_the_test_reads_them():
    # Guards the reader above: if a new plotly.js wrote its modules differently, the sets would be empty
    # and the next test would fail for the wrong reason.
    assert {"scatter", "bar", "pie"} <= registered_trace_types(bundle_file("plotly-basic.min.js"))
    assert "scattergeo" in registered_trace_types(bundle_file("plotly-geo.min.js"))
    assert "scattergeo" not in registered_trace_types(bundle_file("plotly-basic.min.js"))


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
def test_the_timeline_loads_the_basic_bundle_and_not_the_full_plotly_js(client):
    assert page_bundle(client, "/").name == "plotly-basic.min.js"
    assert finders.find(f"{VENDOR}/plotly.min.js") is None, "the 4.8 MB full bundle is not shipped"
