"""What a reader who does not see the chart gets: the chart in words with the index's peaks as links,
skip links, numbers rounded for people, a way back to the filtered view, and reader pages that speak
to readers."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from events.tension import IndexPoint, index_peaks
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def record():
    factories.published_event(slug="deploy", title="Deployment", date=D(2024, 1, 1))  # +7.2
    factories.published_event(slug="warn", title="Warning", type="official-warning", date=D(2024, 1, 10))  # +7.0
    factories.published_event(slug="later", title="Later deployment", date=D(2024, 6, 1))  # +7.2
    factories.published_event(slug="talks", title="Talks", type="talks", date=D(2024, 2, 9))  # −1.0


def chart_text(html: str) -> str:
    block = html.split('<div class="chart-text" id="chart-text">')[1].split("</div>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", block).split())


def test_the_chart_in_words_names_events_period_categories_and_peaks_as_links(client, record):
    html = client.get("/?actor=nato").content.decode()
    text = chart_text(html)
    assert text.startswith(
        "The chart in words 4 events from 1 January 2024 to 1 June 2024, by category: military posture 2, warning 1,"
    )
    assert "de-escalation 1" in text
    peaks = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', html.split('class="peaks"')[1].split("</ol>")[0])
    assert peaks == [
        ("/tension/?actor=nato&amp;end=2024-01-10", "index 14.2 in the 30 days to 10 January 2024"),
        ("/tension/?actor=nato&amp;end=2024-06-01", "index 7.2 in the 30 days to 1 June 2024"),
    ]
    assert 'aria-labelledby="chart-text-heading"' in html


def test_the_chart_in_words_lists_the_most_escalating_events_as_links_and_leads_to_all_of_them(client, record):
    for day in (3, 4, 5):
        factories.published_event(slug=f"talks-{day}", title=f"Talks {day}", type="talks", date=D(2024, 3, day))
    html = client.get("/?actor=nato&sort=title").content.decode()
    listed = html.split('class="top-events"')[1].split("</ol>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>, ([^<]+)</li>', listed) == [
        ("/events/later/?back=actor%3Dnato%26sort%3Dtitle", "Later deployment", "1 June 2024, escalation 7.2"),
        ("/events/deploy/?back=actor%3Dnato%26sort%3Dtitle", "Deployment", "1 January 2024, escalation 7.2"),
        ("/events/warn/?back=actor%3Dnato%26sort%3Dtitle", "Warning", "10 January 2024, escalation 7.0"),
        ("/events/talks-5/?back=actor%3Dnato%26sort%3Dtitle", "Talks 5", "5 March 2024, escalation -1.0"),
        ("/events/talks-4/?back=actor%3Dnato%26sort%3Dtitle", "Talks 4", "4 March 2024, escalation -1.0"),
    ]
    assert "The 5 most escalating events:" in chart_text(html)
    all_link = '<a href="?actor=nato&amp;sort=-escalation#events">All 7 events, the most escalating first</a>'
    assert all_link in html
    # With five events or fewer, each is listed and no link to "all" is needed.
    few = client.get("/?actor=nato&type=talks").content.decode()
    assert "The events, the most escalating first: Talks 5" in chart_text(few)
    assert "the most escalating first</a>" not in few


def test_peaks_are_the_highest_windows_that_do_not_overlap():
    days = ((D(2024, 1, 1), 5), (D(2024, 1, 2), 9), (D(2024, 1, 3), 8), (D(2024, 1, 31), 6), (D(2024, 2, 1), 4))
    points = [IndexPoint(day, Decimal(value)) for day, value in days] + [IndexPoint(D(2024, 3, 1), Decimal(-3))]
    # 31 January's window still holds 2 January; 1 February's does not.
    assert [(p.day, p.value) for p in index_peaks(points)] == [(D(2024, 1, 2), 9), (D(2024, 2, 1), 4)]
    assert index_peaks([IndexPoint(D(2024, 1, 1), Decimal(0))]) == []


def test_an_empty_view_says_so_in_words(client, record):
    assert chart_text(client.get("/?q=nothing-like-this").content.decode()) == (
        "The chart in words No event matches these filters, so the chart is empty."
    )


def test_skip_links_lead_to_the_content_the_results_and_the_events(client, record):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html and '<a class="skip-link" href="#summary">' in html
    assert '<a class="skip-link" href="#events">' in html and '<section id="events"' in html
    assert 'action="/#summary"' in html, "after filtering the browser lands on the results"


def test_index_values_are_rounded_for_people(client, record):
    html = client.get("/tension/?end=2024-01-30").content.decode()
    assert "index 14.2</h2>" in html and "add up to 14.2." in html
    timeline = client.get("/").content.decode()
    assert "index %{y:.1f}" in timeline, "the chart's hover rounds too"
    assert not re.search(r"\d\.\d{3,}", chart_text(timeline))


def test_the_event_page_leads_back_to_the_view_it_came_from_and_only_to_a_timeline_view(client, record):
    html = client.get("/events/warn/", {"back": "actor=nato&sort=title&page=2&evil=1&end=x"}).content.decode()
    assert '<a href="/?actor=nato&amp;sort=title&amp;page=2">← The timeline (your filtered view)</a>' in html
    for hostile in ("javascript:alert(1)", "//evil.example/", '"><script>', "next=https://evil.example"):
        html = client.get("/events/warn/", {"back": hostile}).content.decode()
        assert '<a href="/">← The timeline</a>' in html, hostile
    # The table's and the window's links carry the view.
    assert 'href="/events/warn/?back=actor%3Dnato"' in client.get("/?actor=nato").content.decode()
    assert (
        'href="/events/warn/?back=actor%3Dnato"' in client.get("/tension/?actor=nato&end=2024-01-30").content.decode()
    )


def test_reader_pages_speak_to_readers(client, record):
    for path in ("/", "/about/", "/events/warn/"):
        html = client.get(path).content.decode()
        assert "manage.py" not in html and "load_demo" not in html, path
    about = client.get("/about/").content.decode()
    assert 'data-label="Default escalation"' in about, "the taxonomy is labelled cell by cell for a phone"
