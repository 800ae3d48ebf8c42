"""/healthz: 200 when the database answers (its 503 is in test_db_outage.py), one query, never cached, no cookie."""

from __future__ import annotations


def test_healthy_is_200_ok_in_one_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_it_is_never_cached_and_sets_no_cookie(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert not response.cookies


def test_head_works_and_writes_are_refused(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_plain_http_probes_are_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/about/").status_code == 301
