"""The browser the tests drive never reaches outside this machine (tests/conftest.py, OFFLINE_PROXY): a
name or an address elsewhere fails in the browser itself, for a page as for what it loads, while the
site's own server answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Addresses reserved for documentation (RFC 5737) and a name that resolves on the Internet: none may load.
ELSEWHERE = ("http://example.com/", "http://192.0.2.1/", "https://203.0.113.9/style.css")


@pytest.mark.parametrize("url", ELSEWHERE)
def test_a_page_elsewhere_fails_in_the_browser(page, url):
    with pytest.raises(Error, match="ERR_PROXY_CONNECTION_FAILED|ERR_TUNNEL_CONNECTION_FAILED"):
        page.goto(url, timeout=10_000)


def test_what_a_page_loads_from_elsewhere_fails_and_the_site_answers(page):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    response = page.goto("/healthz")
    assert response.status == 200
    # An image from elsewhere, as a hostile or careless page might ask for one.
    page.evaluate(
        """urls => Promise.all(urls.map(url => new Promise(done => {
             const image = new Image(); image.onload = image.onerror = done; image.src = url;
           })))""",
        list(ELSEWHERE),
    )
    assert sorted(failed) == sorted(ELSEWHERE)
