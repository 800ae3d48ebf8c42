"""One "record changed" clock: the readers' pages and the API read the same data version
(events.selectors.data_version), so their validators move together, and a deployment (RELEASE) moves both."""

from __future__ import annotations

import datetime

import pytest
from django.utils.http import http_date

from events import services
from events.selectors import data_version
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
PAGE, API = "/?country=LT", "/api/events/?country=LT"


@pytest.fixture
def shown(db):
    return factories.published_event(
        slug="patriot", title="Patriots for Lithuania", date=D(2024, 3, 8), location_country=factories.country("LT")
    )


def validators(client) -> dict[str, tuple[str, str]]:
    """The ETag and Last-Modified of the page and of the API, each answered 200."""
    found = {}
    for url in (PAGE, API):
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = (response["ETag"], response["Last-Modified"])
    return found


def last_modified_of_the_clock() -> str:
    return http_date(data_version().changed_at.timestamp())


def test_the_page_and_the_api_change_together_when_an_event_is_published(client, shown):
    before = validators(client)
    assert before[PAGE][1] == before[API][1] == last_modified_of_the_clock()

    draft = factories.event(slug="draft", title="A draft becomes news", date=D(2024, 3, 10))
    # Not NATO: two NATO deployments two days apart would be likely duplicates (events.duplicates).
    draft.event_actors.create(actor=factories.actor("Lithuania"), role="initiator")
    draft.sources.create(url="https://news.example/d", publisher="Example", title="d")
    services.publish_event(event=draft)

    for url, (etag, _) in before.items():
        assert client.get(url, headers={"if-none-match": etag}).status_code == 200, f"{url}: no stale 304"
    after = validators(client)
    assert after[PAGE][1] == after[API][1] == last_modified_of_the_clock()
    assert after[PAGE][0] != before[PAGE][0] and after[API][0] != before[API][0]
    for url, (etag, last_modified) in after.items():
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304, url
        assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304, url


def test_a_new_release_moves_both_even_without_a_write(client, shown, settings):
    before = validators(client)
    settings.RELEASE = "next-deployment"
    for url, (etag, _) in before.items():
        assert client.get(url, headers={"if-none-match": etag}).status_code == 200, url
    after = validators(client)
    assert after[PAGE][0] != before[PAGE][0] and after[API][0] != before[API][0]


def test_a_304_from_the_api_costs_one_query_the_clock(client, shown, django_assert_num_queries):
    etag = client.get(API)["ETag"]
    with django_assert_num_queries(1):
        assert client.get(API, headers={"if-none-match": etag}).status_code == 304


def test_a_304_for_a_page_costs_one_query_the_clock(client, shown, django_assert_num_queries):
    etag = client.get(PAGE)["ETag"]
    with django_assert_num_queries(1):
        assert client.get(PAGE, headers={"if-none-match": etag}).status_code == 304
