"""The change feed's `since` takes any ISO 8601 time or date (found by schemathesis, issue 24): offsets up to
±23:59 (PostgreSQL's input stops at ±15:59), RFC 3339's lower-case t and z, years before the feed began and
after the last UTC time; each is a point in the feed, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "since",
    [
        "4044-03-18T10:03:50.7+20:42",
        "2024-03-08T12:00:00-23:59",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-23:59",
        "2024-01-01t00:00:00z",
        "2024-01-01",
    ],
)
def test_any_iso_time_or_date_is_a_point_in_the_feed(client, record, since):
    response = client.get("/api/changes/", {"since": since})
    assert response.status_code == 200, response.content


def test_everything_changed_after_a_time_before_the_feed_began(client, record):
    whole = client.get("/api/changes/").json()["changes"]
    assert client.get("/api/changes/", {"since": "0001-01-01T00:00:00+14:00"}).json()["changes"] == whole
    assert client.get("/api/changes/", {"since": "9999-12-31T23:59:59-23:59"}).json()["changes"] == []
