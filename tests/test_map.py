"""The map `/map/`: the same filtered events as `/`, placed by their coordinates; the others counted."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from events.models import ESCALATION_MAX, ESCALATION_MIN, Event
from readers.figures.map import EUROPE, MARKER_SIZE_MAX, MARKER_SIZE_MIN, WORLD, marker_size, months_between
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
PLACES = {"patriot": ("54.687", "25.279"), "warning": ("55.746", "37.582"), "draft": ("54.7", "25.3")}


@pytest.fixture
def placed(record):
    """The shared small record, with places for the Patriot announcement, the warning and the draft."""
    for slug, (lat, lon) in PLACES.items():
        Event.objects.filter(slug=slug).update(latitude=Decimal(lat), longitude=Decimal(lon))


def json_script(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, f"the page carries #{element_id}"
    return json.loads(match.group(1))


def drawn(response) -> set[str]:
    """The events drawn on the map, by the event-page URL each point links to."""
    return {
        point[0].split("/")[-2]
        for trace in json_script(response, "map-figure")["data"]
        for point in trace["customdata"]
    }


def unplaced(response) -> set[str]:
    section = response.content.decode().split('<section class="unplaced"')[1].split("</section>")[0]
    return set(re.findall(r'href="/events/([^/"]+)/"', section))


def test_located_events_are_drawn_and_the_others_counted_and_listed(client, placed):
    response = client.get("/map/")
    assert response.status_code == 200
    assert drawn(response) == {"patriot", "warning"}
    assert unplaced(response) == {"talks"}
    assert "1 event has no place on the map" in response.content.decode()

    with_retracted = client.get("/map/?include_retracted=on")
    assert unplaced(with_retracted) == {"talks", "withdrawn"}
    assert "2 events have no place on the map" in with_retracted.content.decode()

    only_placed = client.get("/map/?country=LT")
    assert "Every event of this view has a place on the map" in only_placed.content.decode()


def test_nothing_unpublished_reaches_the_map(client, placed):
    html = client.get("/map/?q=Patriot").content.decode()
    assert "Draft Patriot follow-up" not in html and "/events/draft/" not in html
    assert "Patriot under review" not in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "date_from=2024-03-09",
        "date_to=2024-01-01",
        "date_from=2024-01-01&date_to=2024-03-08",
        "country=LT",
        "region=baltic-states",
        "actor=nato&role=target",
        "type=talks&type=official-warning",
        "category=military_posture",
        "escalation_min=7.1",
        "verification=confirmed",
        "q=Patriot",
        "reactions_only=on",
        "include_retracted=on",
        "date_from=not-a-date",
    ],
)
def test_the_map_and_the_embed_show_the_same_events_as_the_timeline(client, placed, query):
    timeline = client.get(f"/?{query}")
    timeline_slugs = set(
        # The table's links carry the view they came from (?back=…): the slug is what is compared.
        re.findall(
            r'href="/events/([^/"]+)/(?:\?[^"]*)?"', timeline.content.decode().split('<table class="events">')[1]
        )
    )
    on_map = client.get(f"/map/?{query}")
    assert on_map.status_code == 200
    assert drawn(on_map) | unplaced(on_map) == timeline_slugs
    assert drawn(on_map).isdisjoint(unplaced(on_map))
    embed = client.get(f"/embed/?{query}")
    assert json_script(embed, "embed-figure") == json_script(timeline, "timeline-figure"), "one chart, one figure"


def test_a_period_and_bad_input_follow_the_timeline_rules(client, placed):
    assert drawn(client.get("/map/?date_from=2024-03-09")) == {"warning"}
    bad = client.get("/map/?date_from=2024-13-45&escalation_min=11")
    assert bad.status_code == 200
    assert "Some filters cannot be used" in bad.content.decode()
    assert drawn(bad) == set() and "0 events" in bad.content.decode()
    # The period form keeps every other filter of the view as it is.
    kept = client.get("/map/?actor=nato&actor=russia&date_from=2024-01-01").content.decode()
    assert '<input type="hidden" name="actor" value="nato">' in kept
    assert '<input type="hidden" name="actor" value="russia">' in kept
    assert '<input type="hidden" name="date_from"' not in kept


def test_points_are_coloured_by_category_sized_by_escalation_and_hover_with_title_date_type(client, placed):
    figure = json_script(client.get("/map/"), "map-figure")
    by_name = {trace["name"]: trace for trace in figure["data"]}
    assert set(by_name) == {"Military posture", "Warning"}
    assert by_name["Military posture"]["marker"]["color"] == "#D55E00"  # the timeline's colour
    patriot = by_name["Military posture"]
    assert patriot["customdata"][0][1:5] == ["8 March 2024", "Patriot systems for Lithuania", "Force deployment", "—"]
    assert patriot["marker"]["size"] == [marker_size(Event.objects.get(slug="patriot").escalation)]
    assert (patriot["lat"], patriot["lon"]) == ([54.687], [25.279])
    assert marker_size(ESCALATION_MIN) == MARKER_SIZE_MIN and marker_size(ESCALATION_MAX) == MARKER_SIZE_MAX
    assert marker_size(Decimal("-1")) < marker_size(Decimal("0")) < marker_size(Decimal("7.2"))


def test_the_geography_is_europe_at_50m_unless_an_event_lies_outside(client, placed):
    europe = client.get("/map/")
    assert json_script(europe, "map-figure")["layout"]["geo"]["scope"] == "europe"
    assert 'data-topojson-name="europe_50m"' in europe.content.decode()
    factories.published_event(slug="washington", date=D(2024, 3, 1), latitude=Decimal("38.9"), longitude=Decimal("-77"))
    world = client.get("/map/")
    assert json_script(world, "map-figure")["layout"]["geo"]["scope"] == "world"
    assert 'data-topojson-name="world_110m"' in world.content.decode()
    for geography in (EUROPE, WORLD):
        assert finders.find(geography.static_path), "served from our own static files"


def test_the_month_slider_steps_from_the_first_to_the_last_month_and_a_long_event_spans_months(client, placed):
    Event.objects.filter(slug="patriot").update(end_date=D(2024, 5, 2))
    response = client.get("/map/")
    months = json_script(response, "map-months")
    assert months == [["2024-03", "March 2024"], ["2024-04", "April 2024"], ["2024-05", "May 2024"]]
    patriot = json_script(response, "map-figure")["data"][0]["customdata"][0]
    assert patriot[5:] == ["2024-03", "2024-05"]
    assert f'max="{len(months)}"' in response.content.decode()
    assert [key for key, _ in months_between(D(2023, 11, 30), D(2024, 2, 1))] == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]


def test_the_map_costs_the_same_queries_for_two_events_or_twenty(client, placed):
    with CaptureQueriesContext(connection) as few:
        client.get("/map/")
    for n in range(18):
        factories.published_event(date=D(2022, 1, 1 + n), latitude=Decimal("56"), longitude=Decimal(str(20 + n)))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/map/")
    assert len(drawn(response)) == 20
    assert len(many) == len(few)


def test_no_inline_script_and_plotly_geo_from_our_static_files(client, placed):
    html = client.get("/map/").content.decode()
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert ("src=" in attributes and body == "") or 'type="application/json"' in attributes
    assert 'src="/static/vendor/plotly/plotly-geo.min.js"' in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html)


HASHED_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def manifest_static(tmp_path_factory) -> Path:
    """A STATIC_ROOT filled by a real collectstatic with the hashed names of the production storage."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=HASHED_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_under_hashed_static_names_the_page_gives_the_exact_topojson_url(client, placed, manifest_static):
    with override_settings(STATIC_ROOT=manifest_static, STORAGES=HASHED_STORAGES):
        html = client.get("/map/").content.decode()
    url = re.search(r'data-topojson-url="([^"]+)"', html).group(1)
    assert re.fullmatch(r"/static/vendor/plotly/topojson/europe_50m\.[0-9a-f]{12}\.json", url)
    assert (Path(manifest_static) / url.removeprefix("/static/")).is_file()
    # map.js registers that file under the name plotly.js looks up, so no URL is ever built from a name.
    script = (Path(finders.find("js/map.js"))).read_text()
    assert "fetch(topojsonUrl)" in script and "assets.topojson[topojsonName] = topology" in script


def test_events_at_one_place_are_drawn_side_by_side_around_it(client, placed):
    Event.objects.filter(slug="warning").update(latitude=Decimal("54.687"), longitude=Decimal("25.279"))
    points = [
        (lat, lon)
        for trace in json_script(client.get("/map/"), "map-figure")["data"]
        for lat, lon in zip(trace["lat"], trace["lon"], strict=True)
    ]
    assert len(points) == len(set(points)) == 2, "two points, apart: each can be hovered and clicked"
    for lat, lon in points:
        assert abs(lat - 54.687) < 0.5 and abs(lon - 25.279) < 0.8, "around the place, not elsewhere"
