"""Readers' pages go out gzipped to a browser that accepts it; nothing carrying a session or a CSRF token
does (Django's BREACH note): the admin, a signed-in editor's pages."""

from __future__ import annotations

import gzip

import pytest

from tests import factories

pytestmark = pytest.mark.django_db
GZIP = {"accept-encoding": "gzip, deflate, br"}


def test_the_timeline_is_gzipped_and_decodes_to_the_same_page(client, record):
    plain = client.get("/")
    packed = client.get("/", headers=GZIP)
    assert packed["X-Cache"] == "hit" and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
    assert not plain.has_header("Content-Encoding")
    # The same page in other bytes: a weak ETag (RFC 9110 §8.8.1), which still answers a repeat with 304.
    assert packed["ETag"] == "W/" + plain["ETag"]
    assert client.get("/", headers={**GZIP, "if-none-match": packed["ETag"]}).status_code == 304


def test_the_first_answer_is_gzipped_too(client, record):
    packed = client.get("/api/events/", headers=GZIP)
    assert packed["X-Cache"] == "miss" and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == client.get("/api/events/").content


def test_the_admin_login_page_is_not_compressed(client):
    page = client.get("/admin/login/", headers=GZIP)
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    assert not page.has_header("Content-Encoding")


def test_a_signed_in_editors_pages_are_not_compressed(client, record):
    client.force_login(factories.staff_user("editor", role="Editor"))
    for url in ("/", "/events/patriot/", "/admin/events/event/"):
        page = client.get(url, headers=GZIP)
        assert page.status_code == 200 and not page.has_header("Content-Encoding"), url


def test_a_streamed_export_goes_out_as_it_is_from_the_cache_too(client, record):
    first = b"".join(client.get("/export.csv", headers=GZIP).streaming_content)  # kept as it goes out
    again = client.get("/export.csv", headers=GZIP)
    assert again["X-Cache"] == "hit" and not again.has_header("Content-Encoding")
    assert b"".join(again.streaming_content) == first
