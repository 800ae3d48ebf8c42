"""The API's documentation page in Debian's headless Chromium, under the strict CSP the site will send."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"


def test_the_docs_page_draws_every_endpoint_with_script_src_self_only(page, live_server):
    leaving = []

    def serve(route):
        if not route.request.url.startswith(live_server.url):
            leaving.append(route.request.url)
            return route.abort()
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route("**/*", serve)
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/events/", "/api/events/{slug}/", "/api/changes/", "/export.geojson"} <= {p.strip() for p in paths}
    assert violations == [] and leaving == []
    assert page.console_errors == []
