"""Our TimelineJS JSON in TimelineJS itself (issue 24, faults 1 and 10): TimelineJS from npm (the version
bench/peers/package.json pins, installed into the virtualenv by scripts/ensure-timelinejs), in Debian's
Chromium, with every request off the live server refused. The story draws with each event's sources in its
slide's credit, an empty view draws its one slide, and the settings docs/data.md gives keep the page to its
own server (no web fonts, no CDN)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from events.taxonomy import ensure_event_types
from tests.conftest import IN_CI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMELINEJS = Path(sys.prefix) / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
# The page a data user writes (docs/data.md): TimelineJS from its own server, fed our JSON by its URL.
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A story</title>
<link rel="stylesheet" href="/timelinejs/css/timeline.css">
<script src="/timelinejs/js/timeline.js"></script></head>
<body><div id="story" style="width: 1000px; height: 640px"></div><script>
window.story = new TL.Timeline("story", "/export.timeline.json?%s",
  {font: null, script_path: new URL("/timelinejs/js/", location.href).href});
window.story.on("loaded", function () { document.body.dataset.drawn = "yes"; });
</script></body></html>"""


@pytest.fixture
def timelinejs() -> Path:
    """TimelineJS's files. Missing: skip locally, fail in CI (as for Chromium)."""
    if not (TIMELINEJS / "js" / "timeline.js").exists():
        message = f"TimelineJS is missing from {TIMELINEJS}: make browser (scripts/ensure-timelinejs) installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return TIMELINEJS


@pytest.fixture
def published(live_server, request) -> None:
    """The conftest's record, after the taxonomy a previous transactional test's flush emptied."""
    ensure_event_types()
    request.getfixturevalue("record")


@pytest.fixture
def story(page, live_server, timelinejs, published):
    """Opens a story of a view: the page and TimelineJS's files answered from here on the live server's
    origin, the JSON by the live server; every other request refused and noted."""
    refused = []
    page.on("requestfailed", lambda request: refused.append(request.url))

    def draw(query: str = "") -> None:
        html = PAGE % query
        page.route(f"{live_server.url}/story/", lambda route: route.fulfill(body=html, content_type="text/html"))
        page.route(f"{live_server.url}/timelinejs/**", lambda route: serve(route, timelinejs, live_server.url))
        page.goto("/story/")
        page.wait_for_selector("body[data-drawn=yes]", timeout=15000)

    yield draw
    assert refused == [], "the page reached outside its own server"
    assert page.console_errors == []


def serve(route, folder: Path, origin: str) -> None:
    relative = route.request.url.removeprefix(f"{origin}/timelinejs/").split("?")[0]
    route.fulfill(path=folder / relative)


def test_fault_1_timelinejs_shows_each_events_sources_in_its_slides_credit(page, story):
    story()
    for slug, credit in (
        ("warning", "Sources: Example News, Russia warns"),
        ("patriot", "Sources: Example News, Patriot systems for Lithuania"),
    ):
        page.evaluate(f"window.story.goToId('{slug}')")
        shown = page.locator(f".tl-slide[id='{slug}'] .tl-credit")  # TimelineJS's slide carries the id
        shown.wait_for(timeout=5000)
        assert shown.inner_text() == credit


def test_fault_10_timelinejs_draws_an_empty_view_as_its_one_slide(page, story):
    story("q=nothing+matches+this")
    assert "No events in this view" in page.locator("#story").inner_text()
    assert "no events" not in page.locator(".tl-message-full").all_inner_texts()
