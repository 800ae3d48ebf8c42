"""TimelineJS JSON of a filtered view: the fields TimelineJS needs, dates to their known precision."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache
from django.http import QueryDict

from events.models import Event
from events.selectors import event_filter
from exports import timelinejs

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


def timeline(client, query: str = "") -> dict:
    response = client.get(f"/export.timeline.json?{query}")
    assert response.status_code == 200, response.content
    return json.loads(b"".join(response.streaming_content))


def assert_timelinejs(document: dict) -> None:
    """What TimelineJS requires of a slide: a start_date with a numeric year, text, a unique id."""
    assert isinstance(document["events"], list)
    assert document["title"]["text"]["headline"]
    ids = [slide["unique_id"] for slide in document["events"]]
    assert len(ids) == len(set(ids))
    for slide in document["events"]:
        for key in ("start_date", "end_date"):
            if key in slide:
                parts = slide[key]
                assert isinstance(parts["year"], int)
                assert set(parts) <= {"year", "month", "day"}
                assert "day" not in parts or "month" in parts
        assert slide["text"]["headline"] and "text" in slide["text"]
        assert isinstance(slide["group"], str)


def test_the_same_events_as_the_page_with_the_fields_timelinejs_needs(client, record):
    document = timeline(client)
    assert_timelinejs(document)
    view = list(event_filter(params=QueryDict("")).qs.values_list("slug", flat=True))
    assert [slide["unique_id"] for slide in document["events"]] == view
    warning = next(slide for slide in document["events"] if slide["unique_id"] == "warning")
    assert warning["start_date"] == {"year": 2024, "month": 3, "day": 9}
    assert warning["group"] == "Warning"
    assert warning["credit"] == "Sources: Example News, Russia warns"
    assert 'href="http://testserver/events/warning/"' in warning["text"]["text"]


def test_dates_honour_their_precision(client, record):
    Event.objects.filter(slug="talks").update(date_precision="month", end_date=D(2023, 7, 1))
    Event.objects.filter(slug="patriot").update(date_precision="year", date=D(2024, 1, 1))
    slides = {slide["unique_id"]: slide for slide in timeline(client)["events"]}
    assert slides["talks"]["start_date"] == {"year": 2023, "month": 6}
    assert slides["talks"]["end_date"] == {"year": 2023, "month": 7}
    assert slides["patriot"]["start_date"] == {"year": 2024}
    assert "end_date" not in slides["warning"]


def test_text_is_escaped_html_and_retractions_say_so(client, record):
    Event.objects.filter(slug="talks").update(title="<script>x</script> talks", summary="A & B\n\nC")
    document = timeline(client, "include_retracted=1")
    assert_timelinejs(document)
    slides = {slide["unique_id"]: slide for slide in document["events"]}
    assert slides["talks"]["text"]["headline"] == "&lt;script&gt;x&lt;/script&gt; talks"
    assert slides["talks"]["text"]["text"].startswith("<p>A &amp; B</p>")
    assert slides["withdrawn"]["text"]["headline"].startswith("[Retracted]")
    assert "The report was withdrawn." in slides["withdrawn"]["text"]["text"]
    assert "withdrawn" not in {s["unique_id"] for s in timeline(client)["events"]}


def test_the_title_slide_says_which_view(client, record):
    assert timeline(client, "country=LT")["title"]["text"]["headline"] == "Tension Timeline: Lithuania"
    assert client.get("/export.timeline.json?date_from=x").status_code == 400


@pytest.mark.parametrize("max_slides", [3, 2])
def test_a_view_larger_than_timelinejs_can_draw_is_cut_and_the_title_says_so(client, record, monkeypatch, max_slides):
    monkeypatch.setattr(timelinejs, "MAX_SLIDES", max_slides)
    view = list(event_filter(params=QueryDict("")).qs.values_list("slug", flat=True))
    assert len(view) == 3  # at the cap, then one over it
    document = timeline(client)
    assert_timelinejs(document)
    assert [slide["unique_id"] for slide in document["events"]] == view[:max_slides]
    note = f"more than {max_slides} events, more than TimelineJS can draw"
    assert (note in document["title"]["text"]["text"]) == (len(view) > max_slides)
