"""The embed `/embed/` (the one framable page), its oEmbed endpoint, and the timeline's "Embed this view"."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.test.utils import override_settings

from readers.embedding import EMBED_HEIGHT, EMBED_WIDTH
from tests import factories

pytestmark = pytest.mark.django_db
EVERY_OTHER_PAGE = ["/", "/map/", "/about/", "/events/patriot/", "/tension/?end=2024-03-10", "/oembed/?url=x"]


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_only_the_embed_may_be_framed_and_the_policy_holds_everywhere(client, record):
    embed = client.get("/embed/?country=LT")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert policy(embed)["frame-ancestors"] == "*"
    for path in EVERY_OTHER_PAGE:
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert policy(response)["frame-ancestors"] == "'none'", path
    for response in (embed, client.get("/map/")):
        rules = policy(response)
        assert rules["script-src"] == "'self'" and rules["object-src"] == "'none'" and rules["base-uri"] == "'none'"


@override_settings(EMBED_FRAME_ANCESTORS=["https://news.example", "https://*.herald.example"])
def test_the_embed_can_be_limited_to_named_sites(client, record):
    assert policy(client.get("/embed/"))["frame-ancestors"] == "https://news.example https://*.herald.example"
    assert policy(client.get("/"))["frame-ancestors"] == "'none'"


def test_a_bad_embed_origin_setting_stops_start_up_with_one_line():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "timeline.settings",
        "DEBUG": "1",
        "EMBED_FRAME_ANCESTORS": "https://ok.example,https://x.example; script-src *",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "EMBED_FRAME_ANCESTORS: 'https://x.example; script-src *' is not an origin like https://news.example"
    )


def test_the_embed_needs_no_cookie_and_sets_none(client, record, admin_user):
    client.force_login(admin_user)  # even a logged-in editor's embed is the public view
    response = client.get("/embed/?q=Patriot")
    assert not response.cookies, "no session, no CSRF cookie"
    assert "Cookie" not in response.get("Vary", "")
    content = response.content.decode()
    assert "Draft Patriot follow-up" not in content and "Patriot under review" not in content
    assert "csrfmiddlewaretoken" not in content


def test_the_embed_is_light_titled_credited_and_opens_links_in_new_tabs(client, record):
    content = client.get("/embed/?actor=nato").content.decode()
    assert re.search(r'<h1 class="embed-title" id="summary">\s*2 events · Mar 2024 · NATO\s*</h1>', content)
    assert "<form" not in content and '<table class="events">' not in content and "site-header" not in content
    # The small bundle (scatter only), run by chart-loader.js after the still picture is on screen.
    assert 'data-plotly="/static/vendor/plotly/plotly-timeline.min.js"' in content
    assert 'class="chart-poster__wide"' in content
    open_link = re.search(r'<a class="embed-open" href="([^"]+)" target="_blank" rel="noopener">', content)
    assert open_link and open_link.group(1) == "http://testserver/?actor=nato"
    for link in re.findall(r"<a [^>]*>", content):
        assert 'target="_blank"' in link and 'rel="noopener"' in link, link
    assert "from 2 sources: Example News." in content
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", content, re.S):
        assert ("src=" in attributes and body == "") or 'type="application/json"' in attributes
    assert not re.search(r"<[^>]+\son\w+\s*=", content)


def test_an_invalid_view_embeds_an_explanation_not_an_error(client, record):
    response = client.get("/embed/?date_from=yesterday")
    assert response.status_code == 200
    assert "filters cannot be used (date_from)" in response.content.decode()
    assert client.post("/embed/").status_code == 405


def oembed(client, url: str, **params):
    query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in {"url": url, **params}.items())
    return client.get(f"/oembed/?{query}")


def test_oembed_answers_a_rich_iframe_for_a_timeline_link(client, record):
    response = oembed(client, "http://testserver/?actor=nato&role=target&page=2", format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert {key: data[key] for key in ("version", "type", "provider_name", "provider_url")} == {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Tension Timeline",
        "provider_url": "http://testserver/",
    }
    assert data["title"] == "Tension Timeline: NATO as target"
    assert (data["width"], data["height"]) == (EMBED_WIDTH, EMBED_HEIGHT)
    iframe = re.fullmatch(
        r'<iframe src="([^"]+)" title="([^"]+)" width="(\d+)" height="(\d+)" [^>]*></iframe>', data["html"]
    )
    assert iframe, data["html"]
    src = urlsplit(html.unescape(iframe.group(1)))
    assert (src.netloc, src.path) == ("testserver", "/embed/")
    assert parse_qs(src.query) == {"actor": ["nato"], "role": ["target"]}, "the view's filters, not its page"
    assert client.get(src.path + "?" + src.query).status_code == 200


def test_oembed_keeps_within_the_consumers_size_and_refuses_what_it_cannot_serve(client, record):
    small = oembed(client, "http://testserver/embed/?country=LT", maxwidth=400, maxheight=300).json()
    assert (small["width"], small["height"]) == (400, 300) and 'width="400" height="300"' in small["html"]
    assert oembed(client, "http://testserver/", maxwidth=99999).json()["width"] == EMBED_WIDTH
    assert oembed(client, "http://testserver/", format="xml").status_code == 501
    assert oembed(client, "https://elsewhere.example/?country=LT").status_code == 404
    assert oembed(client, "http://testserver/events/patriot/").status_code == 404
    assert oembed(client, "javascript:alert(1)").status_code == 404
    assert oembed(client, "http://testserver/", maxwidth="-5").status_code == 400
    assert oembed(client, "http://testserver/?escalation_min=99").status_code == 400
    assert client.get("/oembed/").status_code == 400
    assert client.get("/oembed/").json()["error"].startswith("Give the link")


def test_the_timeline_offers_the_iframe_code_the_oembed_link_and_the_map(client, record):
    content = client.get("/?actor=nato&type=force-deployment").content.decode()
    discovery = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', content)
    assert discovery
    found = client.get(html.unescape(discovery.group(1)).removeprefix("http://testserver"))
    assert found.status_code == 200 and found.json()["title"] == "Tension Timeline: NATO · force deployment"
    code = html.unescape(
        re.search(r'<textarea id="embed-code" rows="3" readonly>(.*?)</textarea>', content, re.S).group(1)
    )
    assert code == found.json()["html"].replace('width="800" height="600"', 'width="100%" height="600"')
    assert '<a href="/map/?actor=nato&amp;type=force-deployment">Map</a>' in content


def test_source_credit_names_the_most_cited_publishers_and_counts_the_others(client, record):
    from events.models import Event, Source

    patriot = Event.objects.get(slug="patriot")
    for publisher in ("LRT", "LRT", "Reuters", "ERR", "Delfi"):
        Source.objects.create(event=patriot, publisher=publisher, kind=Source.Kind.NEWS)
    factories.event(slug="hidden-source", title="Unpublished")
    content = client.get("/embed/").content.decode()
    assert "from 8 sources: Example News, LRT, Delfi, ERR and 1 other publisher." in content
