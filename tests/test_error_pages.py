"""Site-styled error pages that render without the database (these tests have no database access at all:
pytest-django refuses any query), and a missing static file is a 404."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.http import Http404
from django.test import Client, RequestFactory

pytestmark = pytest.mark.urls("tests.error_urls")


def page(response) -> str:
    html = response.content.decode()
    assert 'href="/static/css/site.css"' in html, "site-styled: the site's stylesheet"
    assert "Tension Timeline" in html
    return html


@pytest.mark.parametrize(
    "url,status,heading",
    [
        ("/no/such/page/", 404, "There is nothing at this address"),
        ("/test/forbidden/", 403, "You may not see this page"),
        ("/test/fails/", 500, "Something went wrong on our side"),
        ("/test/database-gone/", 503, "The record is unavailable for a moment"),
    ],
)
def test_each_error_has_its_page_without_a_database(url, status, heading):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == status
    assert heading in page(response)


def test_a_bad_request_has_its_page():
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "This request cannot be answered" in page(response)


def test_a_refused_csrf_token_has_the_site_page():
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "You may not see this page" in page(response)


def test_an_unreachable_database_answers_503_with_retry_after(caplog):
    response = Client().get("/test/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    outage_lines = [r.getMessage() for r in caplog.records if r.name == "timeline.outage"]
    assert outage_lines == [
        "database unavailable: GET /test/database-gone/ answered 503 "
        "(OperationalError: connection to server at 127.0.0.1, port 1 failed: Connection refused)"
    ]


def test_a_missing_static_file_is_not_found_by_any_finder():
    assert finders.find("vendor/plotly/no-such-file.js") is None
    assert finders.find("vendor/plotly/no-such-file.js", find_all=True) == []


def test_a_missing_static_file_is_a_404_from_the_static_view(settings):
    settings.DEBUG = True  # the static view serves only with DEBUG (runserver)
    with pytest.raises(Http404):
        serve(RequestFactory().get("/static/vendor/plotly/no-such-file.js"), "vendor/plotly/no-such-file.js")


def test_a_missing_static_file_is_a_404_page():
    response = Client().get("/static/vendor/plotly/no-such-file.js")
    assert response.status_code == 404
