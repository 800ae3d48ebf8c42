"""oEmbed of the site's root however it is written (issue 24, fault 9): http://host and http://host/ are the
same address (RFC 3986 §6.2.3), so a consumer that drops the slash still gets the timeline's embed."""

from __future__ import annotations

import pytest

from tests.test_embed import oembed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["http://testserver", "http://testserver/", "http://testserver?country=LT"])
def test_fault_9_the_site_root_without_its_slash_embeds_the_timeline(client, record, url):
    response = oembed(client, url)
    assert response.status_code == 200, response.content
    assert response.json()["html"].startswith('<iframe src="http://testserver/embed/')


def test_another_page_of_the_site_is_still_refused(client, record):
    assert oembed(client, "http://testserver/about").status_code == 404
