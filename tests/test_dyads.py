"""Pairs of adversaries (/dyads/<a>/<b>/ and /api/dyads/<a>/<b>/): each side's events against the other, who
acted first, the reactions between them with their lags, the longest action–reaction chain, the trend."""

from __future__ import annotations

import datetime
import json
import re
import statistics
import urllib.request
from decimal import Decimal

import pytest
from django.urls import reverse

from events.dyads import dyad
from events.models import Event, EventActor, Reaction
from events.trends import Trend
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def act(slug: str, day: datetime.date, by: str, at: str, **kw):
    """A published event of `by` against `at`."""
    return factories.published_event(slug=slug, title=slug.replace("-", " "), date=day, initiator=by, target=at, **kw)


@factories.once_per_module
def standoff():
    """Russia and Lithuania answering each other three times, a third party, and a disputed claim."""
    warn = act("ru-warns", D(2024, 1, 10), "Russia", "Lithuania", type="official-warning")  # 7.0
    expel = act("lt-expels", D(2024, 1, 14), "Lithuania", "Russia", type="expulsion-of-diplomats")
    retaliate = act("ru-retaliates", D(2024, 1, 24), "Russia", "Lithuania", type="expulsion-of-diplomats")
    factories.reaction(expel, warn)  # lag 4
    factories.reaction(retaliate, expel, kind=Reaction.Kind.RETALIATION)  # lag 10
    nato = act("nato-drill", D(2024, 2, 1), "NATO", "Russia")
    disputed = Event.Verification.DISPUTED
    rumour = act("ru-rumour", D(2024, 2, 20), "Russia", "Lithuania", type="official-warning", verification=disputed)
    factories.reaction(rumour, nato)  # not between the pair: NATO is the other side


def test_each_side_who_acted_first_the_lags_and_the_chain(standoff):
    pair = dyad(a="lithuania", b="russia")
    assert [e.slug for e in pair.a.events] == ["lt-expels"]
    assert [e.slug for e in pair.b.events] == ["ru-warns", "ru-retaliates", "ru-rumour"]
    assert pair.b.events[-1].weight == 0  # disputed: shown, not counted
    assert pair.b.total == Decimal("7.0") + pair.b.events[1].escalation
    assert (pair.first_actor.slug, pair.first_event.slug) == ("russia", "ru-warns")
    assert [(x.link.event.slug, x.by.slug, x.lag_days) for x in pair.exchanges] == [
        ("lt-expels", "lithuania", 4),
        ("ru-retaliates", "russia", 10),
    ]
    assert (pair.lag_median, pair.lag_min, pair.lag_max) == (7, 4, 10)
    assert pair.chain_slugs == ["ru-warns", "lt-expels", "ru-retaliates"]
    # The record's latest month is February (NATO's drill, the rumour); the pair weighs 0 then, after January's 3.
    assert (pair.trend.month, pair.trend.trend) == (D(2024, 2, 1), Trend.IMPROVED)


def test_the_page_and_the_api_give_the_same_figures(client, standoff):
    page = client.get(reverse("events:dyad", args=["lithuania", "russia"]))
    assert page.status_code == 200 and page["X-Cache"] == "miss"
    html = page.content.decode()
    assert "lag median 7 days, from 4 to 10 days" in html
    assert "3 events: " in html and html.count('class="dot ') == 4 and html.count('class="reaction"') == 2
    assert client.get(reverse("events:dyad", args=["lithuania", "russia"]))["X-Cache"] == "hit"
    answer = client.get(reverse("api:dyad", args=["lithuania", "russia"])).json()
    assert (answer["first_actor"], answer["first_event"], answer["lag_median"]) == ("russia", "ru-warns", 7)
    assert [r["lag_days"] for r in answer["reactions"]] == [4, 10]
    assert answer["chain"] == ["ru-warns", "lt-expels", "ru-retaliates"]
    assert answer["b"]["events"][-1]["weight"] == 0 and answer["trend"]["trend"] == "improved"


@pytest.mark.parametrize("pair", [("russia", "russia"), ("russia", "nobody")])
def test_an_unknown_actor_or_the_same_twice_is_a_404(client, standoff, pair):
    assert client.get(reverse("events:dyad", args=pair)).status_code == 404
    answer = client.get(reverse("api:dyad", args=pair))
    assert answer.status_code == 404 and "detail" in answer.json()


def test_event_pages_link_to_their_pairs(client, standoff):
    html = client.get(reverse("events:detail", args=["lt-expels"])).content.decode()
    assert f'href="{reverse("events:dyad", args=["lithuania", "russia"])}"' in html


def naive_pair(a: str, b: str) -> dict:
    """The pair's figures straight from the record: role by role, link by link."""
    public = Event.objects.filter(status=Event.Status.PUBLISHED).prefetch_related("event_actors__actor")

    def acts(event: Event, initiator: str, target: str) -> bool:
        roles = {(link.actor.slug, link.role) for link in event.event_actors.all()}
        return (initiator, EventActor.Role.INITIATOR) in roles and (target, EventActor.Role.TARGET) in roles

    side_a = {e.pk: e for e in public if acts(e, a, b)}
    side_b = {e.pk: e for e in public if acts(e, b, a)}
    lags = sorted(
        (link.event.date - link.responds_to.date).days
        for link in Reaction.objects.select_related("event", "responds_to")
        if (link.event_id in side_a and link.responds_to_id in side_b)
        or (link.event_id in side_b and link.responds_to_id in side_a)
    )
    first = min([*side_a.values(), *side_b.values()], key=lambda e: (e.date, e.pk not in side_a, e.pk))
    return {"a": len(side_a), "b": len(side_b), "lags": lags, "first": first}


def test_the_lithuania_russia_page_matches_the_demo_record(demo_site):
    expected = naive_pair("lithuania", "russia")
    url = demo_site.url + reverse("events:dyad", args=["lithuania", "russia"])
    with urllib.request.urlopen(url) as response:  # noqa: S310 (the test's own live server)
        html = response.read().decode()
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td>', html)
    assert rows == [("Lithuania → Russia", str(expected["a"])), ("Russia → Lithuania", str(expected["b"]))]
    lags = expected["lags"]
    assert f"{len(lags)}: lag median {statistics.median(lags):g} days, from {lags[0]} to {lags[-1]} days" in html
    assert f'<a href="{expected["first"].get_absolute_url()}">' in html.split('id="dyad-first"')[1].split("</dd>")[0]
    with urllib.request.urlopen(demo_site.url + reverse("api:dyad", args=["lithuania", "russia"])) as response:  # noqa: S310
        answer = json.load(response)
    assert sorted(r["lag_days"] for r in answer["reactions"]) == lags
    assert answer["first_event"] == expected["first"].slug


def test_a_big_side_shows_its_latest_events_and_counts_them_all(standoff, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("events.dyads.SHOWN_PER_SIDE", 2)
    # Whatever the size: the actors, the links each way, the pair's and the record's months, and per side
    # its per-day totals, its first event and its latest ones.
    with django_assert_num_queries(11):
        pair = dyad(a="lithuania", b="russia")
    assert pair.b.count == 3 and [e.slug for e in pair.b.events] == ["ru-retaliates", "ru-rumour"]
    assert pair.first_event.slug == "ru-warns" and pair.chain_slugs == ["ru-warns", "lt-expels", "ru-retaliates"]
