"""The event page `/events/<slug>/`: the facts, the sources and the reaction chain both ways."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Reaction, Source
from events.selectors import CHAIN_MAX_DEPTH
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def html_of(client, event: Event) -> str:
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def chain_sections(html: str) -> tuple[str, str]:
    upstream = html.split("<h3>What it responds to</h3>")[1].split("<h3>Reactions to it</h3>")[0]
    downstream = html.split("<h3>Reactions to it</h3>")[1].split('<section aria-labelledby="sources-heading">')[0]
    return upstream, downstream


@pytest.fixture
def chain():
    """patriot ← warning (retaliation, +1 day) ← statement (response, +3 days); a draft also reacts."""
    lt = factories.country("LT")
    patriot = factories.published_event(
        slug="patriot",
        title="Patriot systems for Lithuania",
        date=D(2024, 3, 8),
        location_country=lt,
        location_name="Vilnius",
        initiator="NATO",
        target="Russia",
        summary="NATO announces <b>Patriot</b> systems.",
    )
    warning = factories.published_event(
        slug="warning", title="Russia warns", type="official-warning", date=D(2024, 3, 9), initiator="Russia"
    )
    statement = factories.published_event(
        slug="statement", title="Lithuania answers", type="statement", date=D(2024, 3, 12), initiator="Lithuania"
    )
    factories.reaction(warning, patriot, kind=Reaction.Kind.RETALIATION)
    factories.reaction(statement, warning)
    draft = factories.event(slug="secret", title="Secret draft reaction", date=D(2024, 3, 13))
    factories.reaction(draft, statement)
    return patriot, warning, statement, draft


def test_the_page_shows_the_facts_of_the_event(client, chain):
    patriot = chain[0]
    Source.objects.filter(event=patriot).update(published_on=D(2024, 3, 8), title="NATO to station Patriots")
    html = html_of(client, patriot)
    assert "<h1>Patriot systems for Lithuania</h1>" in html
    assert '<time datetime="2024-03-08">8 March 2024</time>' in html
    assert "Force deployment" in html and "7.2" in html
    assert (
        'NATO <span class="muted">(initiator)</span>' in html and 'Russia <span class="muted">(target)</span>' in html
    )
    assert "Vilnius, Lithuania" in html
    assert "NATO announces &lt;b&gt;Patriot&lt;/b&gt; systems." in html
    assert '<a href="https://news.example/patriot" rel="noopener noreferrer">NATO to station Patriots</a>' in html
    assert "Example News" in html and "8 March 2024</time>" in html


def test_a_date_known_to_the_month_is_shown_as_the_month(client):
    event = factories.published_event(date=D(2024, 3, 17), date_precision=Event.Precision.MONTH)
    html = html_of(client, event)
    assert ">March 2024</time>" in html and "1 March 2024" not in html


def test_the_chain_is_shown_both_ways_recursively_with_kind_and_lag(client, chain):
    patriot, warning, statement, _ = chain
    upstream, downstream = chain_sections(html_of(client, warning))
    assert 'href="/events/patriot/"' in upstream and "retaliation, +1 day" in upstream
    assert 'href="/events/statement/"' in downstream and "response, +3 days" in downstream

    upstream, downstream = chain_sections(html_of(client, patriot))
    assert "Nothing in the record" in upstream
    # recursively: the statement answers the warning, which answers the patriot announcement
    assert downstream.index('href="/events/warning/"') < downstream.index('href="/events/statement/"')
    assert downstream.count("<ul>") == 1  # the statement is nested under the warning

    upstream, _ = chain_sections(html_of(client, statement))
    assert 'href="/events/warning/"' in upstream and 'href="/events/patriot/"' in upstream


def test_a_published_reaction_to_a_draft_does_not_reveal_it(client, chain):
    _, _, statement, draft = chain
    later = factories.published_event(slug="later", title="A later reaction", date=D(2024, 3, 20))
    factories.reaction(later, draft)
    for event in (statement, later, chain[0]):
        html = html_of(client, event)
        assert "Secret draft reaction" not in html and "/events/secret/" not in html
    # and the hidden draft does not join the two public events either
    assert "/events/statement/" not in html_of(client, later)


def test_staff_see_unpublished_events_in_the_chain_marked_as_such(client, chain):
    staff = get_user_model().objects.create_user("ed", password="x", is_staff=True)
    client.force_login(staff)
    html = html_of(client, chain[2])
    assert "Secret draft reaction" in html and "draft (staff only)" in html


def test_a_retracted_event_shows_its_retraction_note(client, chain):
    warning = chain[1]
    warning.status, warning.retraction_note = Event.Status.RETRACTED, "Misattributed: the warning was from 2023."
    warning.save()
    assert "Misattributed: the warning was from 2023." in html_of(client, warning)
    assert "retracted" in chain_sections(html_of(client, chain[0]))[1]


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.IN_REVIEW])
def test_drafts_and_events_in_review_are_404_for_readers(client, status):
    assert client.get(factories.event(status=status).get_absolute_url()).status_code == 404


def test_a_cycle_in_the_chain_does_not_hang(client, chain):
    patriot, warning, statement, _ = chain
    # The model refuses this (an event cannot respond to a later one); a database edit could still do it.
    Reaction.objects.bulk_create([Reaction(event=patriot, responds_to=statement)])
    for event in (patriot, warning, statement):
        upstream, downstream = chain_sections(html_of(client, event))
        assert "shown above" in upstream + downstream


def make_chain(length: int, name: str = "link") -> list[Event]:
    """`length` published events, each responding to the one before, inserted in bulk (the deepest chain
    has over a thousand links: built one event at a time it cost seconds, and the page is what is tested)."""
    kind = factories.event_type()
    events = [
        Event(
            slug=f"{name}-{n}",
            title=f"Link {n}",
            date=D(2000, 1, 1) + datetime.timedelta(n),
            summary="Something happened.",
            event_type=kind,
            status=Event.Status.PUBLISHED,
        )
        for n in range(length)
    ]
    for event in events:
        event.fill_derived()  # the escalation and publication time save() would set
    events = Event.objects.bulk_create(events)
    Reaction.objects.bulk_create(
        Reaction(event=later, responds_to=earlier) for earlier, later in zip(events, events[1:], strict=False)
    )
    return events


def test_a_very_deep_chain_is_cut_at_the_depth_cap_without_blowing_the_recursion_limit(client):
    events = make_chain(CHAIN_MAX_DEPTH + 1200)  # deeper than Python's recursion limit would allow
    upstream, _ = chain_sections(html_of(client, events[-1]))
    assert upstream.count("<li>") == CHAIN_MAX_DEPTH
    _, downstream = chain_sections(html_of(client, events[0]))
    assert downstream.count("<li>") == CHAIN_MAX_DEPTH
    assert downstream.count("<ul") == downstream.count("</ul>")


def _queries(client, event: Event) -> int:
    with CaptureQueriesContext(connection) as queries:
        html_of(client, event)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_chain_or_the_record(client):
    short = make_chain(3)
    few = _queries(client, short[1])
    long = make_chain(60, name="long")
    for n in range(40):
        factories.published_event(slug=f"other-{n}")
    assert _queries(client, long[30]) == few
    assert few <= 12
