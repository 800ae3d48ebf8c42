"""TimelineJS JSON as TimelineJS reads it (issue 24, faults 1 and 10): the sources are the slide's media with
its credit, the only credit TimelineJS draws, and an empty view is a slide that says so instead of a story
TimelineJS refuses. tests/test_browser_timelinejs.py draws both in TimelineJS itself."""

from __future__ import annotations

import pytest

from events.models import Source
from exports.timelinejs import EMPTY_VIEW, EMPTY_VIEW_ID
from tests.test_timelinejs import timeline

pytestmark = pytest.mark.django_db


def test_fault_1_the_sources_are_the_media_credit_timelinejs_draws(client, record):
    Source.objects.create(
        event_id=Source.objects.get(title="Russia warns").event_id, publisher="TASS", title="", kind="news"
    )
    slides = {slide["unique_id"]: slide for slide in timeline(client)["events"]}
    media = slides["warning"]["media"]
    assert media["credit"] == "Sources: Example News, Russia warns; TASS"
    # The media item is a quote listing the sources, linked where they are online.
    assert media["url"] == (
        '<blockquote><a href="https://news.example/warning">Example News, Russia warns</a><br>TASS</blockquote>'
    )


def test_fault_10_an_empty_view_is_one_slide_saying_so_under_its_title(client, record):
    document = timeline(client, "q=nothing+matches+this")
    assert [slide["unique_id"] for slide in document["events"]] == [EMPTY_VIEW_ID]
    assert document["events"][0]["text"]["headline"] == EMPTY_VIEW
    assert isinstance(document["events"][0]["start_date"]["year"], int)
    assert document["title"]["text"]["headline"] == "Tension Timeline: “nothing matches this”"
    assert EMPTY_VIEW in document["title"]["text"]["text"]
