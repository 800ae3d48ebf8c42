"""Every kind of response carries the Content-Security-Policy; one view can loosen it for itself."""

from __future__ import annotations

import pytest
from django.test import Client

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}

pytestmark = pytest.mark.urls("tests.error_urls")


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_strict_policy(response) -> None:
    policy = directives(response)
    for name, value in POLICY.items():
        assert policy[name] == value, (name, policy)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


@pytest.mark.parametrize(
    "url,status",
    [
        ("/", 200),
        ("/about/", 200),
        ("/events/patriot/", 200),
        ("/feed/", 200),
        ("/export.csv", 200),  # streamed
        ("/export.csv?date_from=yesterday", 400),
        ("/events/no-such-event/", 404),
        ("/admin/", 302),
        ("/admin/login/", 200),
        ("/healthz", 200),
        ("/test/forbidden/", 403),
        ("/test/fails/", 500),
        ("/test/database-gone/", 503),
    ],
)
def test_the_policy_is_on_every_kind_of_response(record, url, status):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == status
    assert_strict_policy(response)
    assert response["X-Frame-Options"] == "DENY"


def test_a_disallowed_host_gets_the_policy_on_its_400():
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_strict_policy(response)


def test_static_files_carry_the_policy_too(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert_strict_policy(response)


def test_one_view_can_allow_framing_by_a_partner_and_no_other_changes(client, db):
    response = client.get("/test/embeddable/")
    policy = directives(response)
    assert policy["frame-ancestors"] == "https://partner.example"
    assert "X-Frame-Options" not in response
    assert {name: policy[name] for name in POLICY if name != "frame-ancestors"} == {
        name: value for name, value in POLICY.items() if name != "frame-ancestors"
    }


def test_pages_have_no_inline_script(record, client):
    for url in ("/", "/events/patriot/", "/about/", "/admin/login/"):
        html = client.get(url).content.decode()
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (url, opening)
