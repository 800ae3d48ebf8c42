"""The timeline page `/`: filters in the query string, summary, chart data, table, links, bad input."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Actor, Event, EventType
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def figure(response) -> dict:
    match = re.search(
        r'<script id="timeline-figure" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "the page carries the figure as JSON"
    return json.loads(match.group(1))


def chart_slugs(response) -> set[str]:
    """The events drawn on the chart, by the event-page URL each marker links to."""
    return {
        point[0].split("/")[-2]
        for trace in figure(response)["data"]
        if trace.get("yaxis") == "y" and "customdata" in trace
        for point in trace["customdata"]
    }


def table_slugs(response) -> list[str]:
    body = response.content.decode().split('<table class="events">')[1].split("</table>")[0]
    return re.findall(r'href="/events/([^/"]+)/(?:\?back=[^"]*)?"', body)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", {"warning", "patriot", "talks"}),
        ("date_from=2024-03-09", {"warning"}),
        ("date_to=2024-01-01", {"talks"}),
        ("region=baltic-states", {"patriot"}),
        ("country=LT", {"patriot"}),
        ("actor=nato", {"warning", "patriot"}),
        ("actor=nato&role=target", {"warning"}),
        ("actor=russia&actor=poland", {"warning", "talks"}),
        ("type=talks&type=official-warning", {"warning", "talks"}),
        ("category=military_posture", {"patriot"}),
        ("escalation_min=7.1", {"patriot"}),
        ("escalation_max=0", {"talks"}),
        ("verification=confirmed", {"talks"}),
        ("q=patriot", {"patriot"}),
        ("reactions_only=on", {"warning"}),
        ("include_retracted=on", {"warning", "patriot", "withdrawn", "talks"}),
        ("date_from=2024-01-01&actor=nato&category=warning&reactions_only=on", {"warning"}),
        ("country=LT&type=force-deployment&q=lithuania&verification=claimed", {"patriot"}),
        ("region=baltic-states&type=talks", set()),
    ],
)
def test_each_filter_narrows_table_and_chart_alike(client, record, query, expected):
    response = client.get("/?" + query)
    assert response.status_code == 200
    assert set(table_slugs(response)) == expected
    assert chart_slugs(response) == expected
    assert f"{len(expected)} event" in response.content.decode()


@pytest.mark.parametrize(
    "query,field,message",
    [
        ("date_from=yesterday", "date_from", "Enter a valid date"),
        ("date_to=2024-02-30", "date_to", "Enter a valid date"),
        ("date_from=2024-03-09&date_to=2024-03-01", "date_to", "The end of the period is before its start."),
        ("region=atlantis", "region", "Select a valid choice"),
        ("country=XX", "country", "Unknown country"),
        ("actor=nobody", "actor", "Select a valid choice"),
        ("role=initiator", "role", "Choose an actor for this role."),
        ("type=picnic", "type", "Select a valid choice"),
        ("category=' OR 1=1 --", "category", "Select a valid choice"),
        ("escalation_min=high", "escalation_min", "Enter a number"),
        ("escalation_max=1e999999", "escalation_max", ""),
        ("escalation_min=99999999999999999999", "escalation_min", ""),
        ("escalation_min=5&escalation_max=2", "escalation_max", "The maximum escalation is below the minimum."),
        ("verification=maybe", "verification", "Select a valid choice"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
        ("sort=id; DROP TABLE events_event", "sort", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_200_with_the_error_beside_its_field_and_no_events(client, record, query, field, message):
    response = client.get("/?" + query)
    html = response.content.decode()
    assert response.status_code == 200
    error = re.search(rf'<p class="field-error" id="id_{field}_error">(.*?)</p>', html, re.S)
    assert error, f"an error beside {field}"
    assert message in error.group(1)
    assert table_slugs(response) == []
    assert chart_slugs(response) == set()
    assert "0 events" in html


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=-1", "page=99999999999999999999", "sort=", "actor=", "include_retracted=maybe", "q=%00"],
)
def test_odd_but_harmless_input_is_a_200(client, record, query):
    assert client.get("/?" + query).status_code == 200


def test_drafts_and_reviews_are_absent_from_page_table_and_chart(client, record):
    for query in ("", "q=patriot", "include_retracted=on", "date_from=2024-03-10", "country=LT"):
        response = client.get("/?" + query)
        html = response.content.decode()
        assert "Draft Patriot follow-up" not in html and "Patriot under review" not in html
        assert not {"draft", "review"} & chart_slugs(response)
        assert not {"draft", "review"} & set(table_slugs(response))


def test_a_reaction_to_a_draft_is_not_drawn_as_a_reaction(client, record):
    secret = Event.objects.get(slug="draft")
    factories.reaction(Event.objects.get(slug="warning"), secret)
    data = figure(client.get("/"))
    lines = [trace for trace in data["data"] if trace.get("mode") == "lines"]
    # one line only: warning → patriot; nothing points at the draft's date (10 March)
    assert [x for trace in lines for x in trace["x"] if x] == ["2024-03-08", "2024-03-09"]


def test_the_summary_says_what_is_shown(client, record):
    html = client.get("/?country=LT&category=military_posture&actor=nato").content.decode()
    summary = re.search(r'<h1 class="summary" id="summary">(.*?)</h1>', html, re.S).group(1)
    assert " ".join(summary.split()) == "1 event · Mar 2024 · Lithuania · NATO · military posture"
    html = client.get("/").content.decode()
    summary = re.search(r'<h1 class="summary" id="summary">(.*?)</h1>', html, re.S).group(1)
    assert " ".join(summary.split()) == "3 events · Jun 2023 – Mar 2024"


def test_export_feed_and_alternate_links_carry_the_same_query(client, record):
    html = client.get("/?country=LT&actor=nato&actor=russia&page=1").content.decode()
    query = "country=LT&amp;actor=nato&amp;actor=russia"
    assert f'href="/export.csv?{query}"' in html
    assert f'href="/feed/?{query}"' in html
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Events of this view (Atom)" href="/feed/?{query}">'
        in html
    )


def test_every_filter_input_has_a_label(client, record):
    html = client.get("/").content.decode()
    form = html.split('<form class="filters"')[1].split("</form>")[0]
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', form)
    # 14 single controls, and one checkbox per actor and per event type (the multi-select lists)
    assert len(ids) == 14 + Actor.objects.count() + EventType.objects.count()
    for input_id in ids:
        assert f'for="{input_id}"' in form, input_id


def test_the_filter_form_keeps_the_values_of_a_shared_link(client, record):
    html = client.get("/?actor=nato&actor=russia&q=patriot&reactions_only=on").content.decode()
    assert re.search(r'<input type="checkbox" name="actor" value="nato"[^>]* checked>', html)
    assert re.search(r'<input type="checkbox" name="actor" value="russia"[^>]* checked>', html)
    assert 'value="patriot"' in html
    assert re.search(r'name="reactions_only"[^>]*checked', html)


def test_text_from_the_record_is_escaped_in_table_and_chart(client, record):
    factories.published_event(slug="xss", title='<img src=x onerror="alert(1)"> & <b>bold</b>', initiator="<i>Evil</i>")
    response = client.get("/")
    html = response.content.decode()
    assert "<img src=x" not in html and "<i>Evil</i>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    hover = [
        point
        for trace in figure(response)["data"]
        for point in trace.get("customdata", [])
        if isinstance(point, list) and point[0].endswith("/xss/")
    ][0]
    # Plotly renders hover text as HTML-ish markup: the title reaches it escaped.
    assert hover[2] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    assert hover[3] == "&lt;i&gt;Evil&lt;/i&gt;"


def test_no_inline_script_so_a_strict_csp_can_be_set(client, record):
    html = client.get("/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    # The figure JSON, filters.js, chart-poster.js, chart-loader.js (it adds plotly.js and timeline.js).
    assert len(scripts) == 4
    for attributes, body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes
        if "src=" in attributes:
            assert body == ""
            assert "//" not in attributes.split("src=")[1].split()[0], "no CDN, no other host"
    assert not re.search(r"<[^>]+\son\w+\s*=", html), "no inline event handler either"


def test_the_table_is_paginated_and_sortable_without_javascript(client):
    for n in range(120):
        factories.published_event(slug=f"e{n:03}", title=f"Event {n:03}", date=D(2020, 1, 1) + datetime.timedelta(n))
    first = client.get("/")
    assert table_slugs(first)[:2] == ["e119", "e118"] and len(table_slugs(first)) == 50
    assert "page 1 of 3" in first.content.decode()
    assert table_slugs(client.get("/?page=3")) == [f"e{n:03}" for n in range(19, -1, -1)]
    assert table_slugs(client.get("/?page=999"))[-1] == "e000"  # past the end: the last page
    oldest = client.get("/?sort=date")
    assert table_slugs(oldest)[0] == "e000"
    assert 'href="?sort=-date"' in oldest.content.decode()  # the header switches the order back
    html = client.get("/?q=Event&sort=date").content.decode()
    assert 'href="?q=Event&amp;sort=date&amp;page=2"' in html  # pages keep the filter and the order
    assert 'href="?q=Event&amp;sort=-date"' in html
    assert 'aria-sort="ascending"' in html


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_events(client, record, django_assert_max_num_queries):
    few = _queries_for(client, "/")
    few_filtered = _queries_for(
        client, "/?actor=nato&actor=russia&type=talks&type=official-warning&region=baltic-states"
    )
    previous = Event.objects.get(slug="patriot")
    for n in range(80):
        event = factories.published_event(
            slug=f"more-{n}", date=D(2022, 1, 1) + datetime.timedelta(n * 5), initiator=f"Actor {n % 7}", target="NATO"
        )
        factories.reaction(event, previous) if previous.date <= event.date else None
        previous = event
    assert _queries_for(client, "/") == few
    assert _queries_for(client, "/?actor=nato&actor=russia&type=talks&type=official-warning&region=baltic-states") == (
        few_filtered
    )
    with django_assert_max_num_queries(16):
        client.get("/?page=2")
