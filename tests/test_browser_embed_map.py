"""The embed inside another site's <iframe>, and the map, in Debian's headless Chromium.

Every request that leaves the two sites under test (the app, and a mock article on another origin)
is blocked and recorded: the tests fail if anything tried to leave.
"""

from __future__ import annotations

import calendar
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from django.http import QueryDict

from events.models import Event
from events.selectors import event_filter

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

EMBED_POINTS = "#embed-chart g.subplot.xy .scatterlayer path.point"
MAP_POINTS = "#event-map .scattergeo path.point"
LAND = "#event-map .geolayer g.layer.land path"


@pytest.fixture
def site(demo_site):
    """The pages only read: the demo record is committed once for them all (tests/conftest.py, demo_site)."""
    return demo_site


@pytest.fixture
def demo(site):
    """The demo record, served by `site`."""


def shown(query: str):
    return event_filter(params=QueryDict(query)).qs


@pytest.fixture(scope="module")
def article_server(reading_server):
    """A news site on another origin (127.0.0.1, its own port; the app is on localhost): /frame/<path>
    is an article that frames <path> of the app, as a host page pastes our <iframe> code."""
    app = reading_server.url

    class Article(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            framed = app + unquote(self.path.removeprefix("/frame"))
            body = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baltic Herald</title></head>'
                "<body><h1>How tension rose around Lithuania</h1><p>The article's text.</p>"
                f'<iframe src="{framed}" title="Tension Timeline" width="100%" height="600" style="border:0"></iframe>'
                "</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def context(browser, site, article_server):
    """A browser context that lets requests reach only the app and the article, and records the rest."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.blocked = []
    context.console_errors = []
    allowed = (site.url + "/", article_server + "/")

    def route(route) -> None:
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            context.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    context.on(
        "page",
        lambda page: page.on("console", lambda msg: msg.type == "error" and context.console_errors.append(msg.text)),
    )
    yield context
    context.close()


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_embed_draws_in_another_sites_iframe_and_a_click_opens_the_event_in_a_new_tab(
    context, demo, article_server
):
    page = context.new_page()
    page.goto(f"{article_server}/frame/embed/?country=LT")
    frame = page.frame_locator("iframe")
    frame.locator("#embed-chart.chart-ready").wait_for()
    lithuania = shown("country=LT")
    assert frame.locator(EMBED_POINTS).count() == lithuania.count() > 3
    assert "Lithuania" in frame.locator("h1").inner_text()

    with context.expect_page() as opened:
        page.mouse.click(*centre(frame.locator(EMBED_POINTS).first))
    event_page = opened.value
    event_page.wait_for_load_state()
    assert re.search(r"/events/[\w-]+/$", event_page.url)
    assert event_page.locator("h1").inner_text() in set(lithuania.values_list("title", flat=True))
    embedded = next(f for f in page.frames if f != page.main_frame)
    assert "/embed/?country=LT" in embedded.url, "the frame itself did not navigate"

    # A phone-wide article: the embed follows its frame's width, with nothing to scroll sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    frame.locator("#embed-chart.chart-ready").wait_for()
    embedded = next(f for f in page.frames if f != page.main_frame)
    assert embedded.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert embedded.evaluate("document.querySelector('#embed-chart .main-svg').getBoundingClientRect().width") <= 360
    assert context.blocked == [] and context.console_errors == []


def test_every_other_page_refuses_to_be_framed(context, article_server):
    page = context.new_page()
    for path in ("/", "/map/"):
        page.goto(f"{article_server}/frame{path}")
        page.wait_for_timeout(300)
        framed = next(f for f in page.frames if f != page.main_frame)
        assert framed.url.startswith("chrome-error://"), f"Chromium refused to render {path} in the frame"
    assert sum("frame-ancestors 'none'" in error for error in context.console_errors) == 2
    assert context.blocked == []


def test_the_map_draws_land_and_a_point_per_located_event_and_steps_through_months(context, demo, site):
    page = context.new_page()
    page.goto(f"{site.url}/map/")
    page.wait_for_selector("#event-map.map-ready")
    located = shown("").filter(latitude__isnull=False).count()
    unplaced = shown("").count() - located
    assert located > 40 and unplaced > 0
    assert page.locator(MAP_POINTS).count() == located
    assert len(page.locator(LAND).get_attribute("d")) > 10_000, "Natural Earth's land, not an empty layer"
    assert (
        page.locator("#unplaced-heading").inner_text()
        == f"{unplaced} event{'s' if unplaced != 1 else ''} "
        + ("have" if unplaced != 1 else "has")
        + " no place on the map"
    )

    # The month slider, by keyboard: the first month fades every point but its own events.
    slider = page.locator("#map-month")
    slider.focus()
    page.keyboard.press("ArrowRight")
    first = shown("").filter(latitude__isnull=False).order_by("date").first()
    month_end = first.date.replace(day=calendar.monthrange(first.date.year, first.date.month)[1])
    in_month = shown(f"date_from={first.date:%Y-%m}-01&date_to={month_end}").filter(latitude__isnull=False)
    assert page.locator("#map-month-label").inner_text() == (
        f"{first.date:%B %Y}: {in_month.count()} event{'s' if in_month.count() != 1 else ''}"
    )
    opaque = "Array.from(document.querySelectorAll('%s')).filter(p => +getComputedStyle(p).opacity > 0.5).length"
    assert page.evaluate(opaque % MAP_POINTS) == in_month.count()
    page.keyboard.press("Home")
    assert page.locator("#map-month-label").inner_text() == "All months"
    assert page.evaluate(opaque % MAP_POINTS) == located

    # On a phone the map is framed to its tall shape: every point on it, nothing to scroll sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    page.wait_for_selector("#event-map.map-ready")
    assert page.locator(MAP_POINTS).count() == located
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    frame = page.locator("#event-map .main-svg").first.bounding_box()
    for point in page.locator(MAP_POINTS).all():
        x, y = centre(point)
        assert frame["x"] <= x <= frame["x"] + frame["width"] and frame["y"] <= y <= frame["y"] + frame["height"]
    assert context.blocked == [] and context.console_errors == []


def test_hovering_a_point_shows_its_title_and_a_click_opens_it(context, demo, site):
    page = context.new_page()
    page.goto(f"{site.url}/map/?category=economic")
    page.wait_for_selector("#event-map.map-ready")
    titles = set(shown("category=economic").filter(latitude__isnull=False).values_list("title", flat=True))
    point = page.locator(MAP_POINTS).first
    page.mouse.move(*centre(point))
    hover = page.locator("#event-map .hoverlayer .hovertext")
    hover.wait_for()
    shown_title = next(title for title in titles if title in hover.text_content())
    page.mouse.click(*centre(point))
    page.wait_for_url(re.compile(r"/events/[\w-]+/$"))
    assert page.locator("h1").inner_text() == shown_title
    assert Event.objects.get(title=shown_title).get_absolute_url() in page.url
    assert context.blocked == [] and context.console_errors == []


@pytest.mark.parametrize(("width", "height", "legend"), [(800, 600, "under"), (640, 420, "beside"), (400, 380, "none")])
def test_a_short_frame_keeps_the_plot_readable_by_moving_or_leaving_out_the_legend(page, demo, width, height, legend):
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/embed/")
    page.wait_for_selector("#embed-chart.chart-ready")
    plot = page.locator("#embed-chart .draglayer .xy rect.nsewdrag").bounding_box()  # the events panel
    entries = page.locator("#embed-chart g.legend g.traces")
    if legend == "none":
        assert entries.count() == 0
    else:
        box = page.locator("#embed-chart g.legend").bounding_box()
        assert entries.count() > 5
        if legend == "beside":
            assert box["x"] >= plot["x"] + plot["width"]
        else:
            assert box["y"] >= plot["y"] + plot["height"]
    assert plot["height"] >= 60, "the events' panel keeps a readable height"
    assert page.console_errors == []
