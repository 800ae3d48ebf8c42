"""A source from its URL: the guarded fetch refuses what it must (with a message, before any request),
the page's own description of itself fills the source, and a failed fetch writes nothing.

The pages come from a local server (tests/page_server.py) on 127.0.0.1, which the guard refuses unless
SOURCE_FETCH_ALLOW_PRIVATE is on: the tests that fetch turn it on. The redirect re-check is tested with
it on too, honestly: a redirect to 0.0.0.0 (an unspecified address, refused whatever the setting) whose
port has a second local server listening, which a request to 0.0.0.0 would reach on this machine, and
which sees none."""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import json
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from editorial.admin.sources import LOOKUPS_PER_MINUTE
from editorial.models import Finding, SourceSnapshot
from editorial.sources.extract import read
from editorial.sources.fetch import MAX_REDIRECTS, FetchError, PageGone, address_refusal, fetch
from tests import factories
from tests.page_server import Answer, PageServer, article, self_signed_certificate

ADDRESSES_REFUSED_ALWAYS = [
    "0.0.0.0",  # unspecified: reaches this machine
    "0.1.2.3",
    "169.254.169.254",  # link-local: a cloud's metadata service
    "fe80::1",
    "224.0.0.1",  # multicast
    "ff02::1",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::",
]
ADDRESSES_PRIVATE = [
    "127.0.0.1",
    "127.1.2.3",
    "::1",
    "::ffff:127.0.0.1",  # an IPv4 address written as IPv6 is that IPv4 address
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "fd00::1",
    "100.64.0.1",  # carrier-grade NAT: not public
    "192.0.2.1",  # documentation
]


@pytest.fixture
def news():
    with PageServer() as server:
        yield server


@pytest.fixture
def private_allowed(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.SOURCE_FETCH_MAX_BYTES = 50_000
    settings.SOURCE_FETCH_TIMEOUT = 0.5
    return settings


def refused(url: str) -> str:
    with pytest.raises(FetchError) as error:
        fetch(url)
    return str(error.value)


# --- the address check, every class of address ---


@pytest.mark.parametrize("address", ADDRESSES_REFUSED_ALWAYS)
def test_addresses_no_source_is_on_are_refused_even_when_private_ones_are_allowed(address):
    for allow_private in (False, True):
        assert "no source is fetched from it" in address_refusal(
            ipaddress.ip_address(address), allow_private=allow_private
        )


@pytest.mark.parametrize("address", ADDRESSES_PRIVATE)
def test_loopback_and_private_addresses_are_refused_unless_the_operator_allows_them(address):
    reason = address_refusal(ipaddress.ip_address(address), allow_private=False)
    assert "SOURCE_FETCH_ALLOW_PRIVATE=1" in reason
    assert address_refusal(ipaddress.ip_address(address), allow_private=True) is None


@pytest.mark.parametrize("address", ["93.184.215.14", "2a02:6b8::2:242", "194.176.118.8"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(ipaddress.ip_address(address), allow_private=False) is None


def test_the_setting_is_off_unless_the_environment_turns_it_on():
    from timeline import settings as production

    assert production.SOURCE_FETCH_ALLOW_PRIVATE is False


# --- the fetch ---


def test_a_page_on_127_0_0_1_is_refused_before_any_request_while_private_addresses_are_not_allowed(news, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    news.pages["/article"] = Answer(article())
    for url in (news.url("/article"), f"http://localhost:{news.port}/article", f"http://2130706433:{news.port}/"):
        assert "is a loopback address" in refused(url)
    assert news.requests == []


def test_an_article_says_its_title_publisher_date_language_and_main_text(news, private_allowed):
    news.pages["/news/patriot"] = Answer(article(lang="en-GB"))
    page = fetch(f"http://localhost:{news.port}/news/patriot")
    found = read(page)
    assert (found.title, found.publisher, found.published_on, found.language) == (
        "Lithuania to host Patriot air defence systems on rotation",
        "LRT English",
        datetime.date(2024, 3, 7),
        "en",
    )
    assert "European NATO ally would deploy Patriot air defence systems on rotation" in found.text
    assert "All rights reserved" not in found.text and "Sport" not in found.text
    # The name is resolved here and the connection goes to the address checked, the name still sent.
    assert news.requests == [("/news/patriot", f"localhost:{news.port}")]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(b"%PDF-1.7 ...", content_type="application/pdf"), "is not a web page (HTML) but application/pdf"),
        (Answer(b'{"a": 1}', content_type="application/json"), "but application/json"),
        (Answer(b"<html>" + b"x" * 60_000), "is larger than 50,000 bytes"),
        (Answer(b"<html>" + b"x" * 60_000, content_length=False), "is larger than 50,000 bytes"),
        (
            Answer(gzip.compress(b"<html>" + b" " * 200_000), headers={"Content-Encoding": "gzip"}),
            "is larger than 50,000 bytes",
        ),
        (Answer(article(), delay=1.5), "did not answer within 0.5 s"),
        (Answer(article(), chunks=20, chunk_delay=0.1), "did not arrive within 0.5 s"),
        (Answer(b"<html>oops</html>", status=500), "answered 500 Internal Server Error"),
        (Answer(status=302), "redirects (302) without saying where to"),
    ],
    ids=["pdf", "json", "oversized", "oversized-unannounced", "gzip-bomb", "slow", "trickling", "error", "nowhere"],
)
def test_what_is_not_a_small_html_page_in_time_is_refused_with_a_message(news, private_allowed, answer, message):
    news.pages["/page"] = answer
    assert message in refused(news.url("/page"))


def test_a_redirect_loop_is_followed_a_few_times_then_refused(news, private_allowed):
    news.pages["/loop"] = Answer(status=301, headers={"Location": "/loop"})
    assert f"redirects more than {MAX_REDIRECTS} times" in refused(news.url("/loop"))
    assert news.paths() == ["/loop"] * (MAX_REDIRECTS + 1)


def test_redirects_are_followed_and_each_hop_is_checked_again(news, private_allowed):
    news.pages["/old"] = Answer(status=301, headers={"Location": "/new"})
    news.pages["/new"] = Answer(article())
    page = fetch(news.url("/old"))
    assert (page.url, page.final_url, page.status) == (news.url("/old"), news.url("/new"), 200)

    with PageServer() as inside:
        inside.pages["/admin"] = Answer(b"<html><body>our own admin</body></html>")
        # On this machine a request to 0.0.0.0 reaches the server listening on 127.0.0.1…
        assert urllib.request.urlopen(f"http://0.0.0.0:{inside.port}/admin", timeout=5).status == 200
        inside.requests.clear()
        # …so a redirect there is refused at its own hop, though the first hop's address was allowed.
        news.pages["/innocent"] = Answer(status=302, headers={"Location": f"http://0.0.0.0:{inside.port}/admin"})
        assert "0.0.0.0 is an unspecified address" in refused(news.url("/innocent"))
        assert inside.requests == []
    news.pages["/to-file"] = Answer(status=302, headers={"Location": "file:///etc/passwd"})
    assert "only http:// and https:// pages are fetched" in refused(news.url("/to-file"))


def test_a_page_not_found_or_gone_is_gone(news, private_allowed):
    news.pages["/removed"] = Answer(b"<html>removed</html>", status=410)
    for path, status in (("/missing", 404), ("/removed", 410)):
        with pytest.raises(PageGone) as gone:
            fetch(news.url(path))
        assert (gone.value.status, gone.value.final_url) == (status, news.url(path))


def test_unreachable_and_unusable_addresses_say_why(private_allowed):
    with PageServer() as closed:
        port = closed.port
    assert "could not be reached: Connection refused" in refused(f"http://127.0.0.1:{port}/")
    assert "only http:// and https:// pages are fetched" in refused("ftp://news.example/a")
    assert "is not a web address" in refused("http://news.example:99999/")


# --- the command ---


def test_fetch_source_prints_what_the_page_says(news, private_allowed, capsys):
    news.pages["/patriot"] = Answer(article())
    call_command("fetch_source", news.url("/patriot"))
    out = capsys.readouterr().out
    assert "Publisher:    LRT English" in out
    assert "Title:        Lithuania to host Patriot air defence systems on rotation" in out
    assert "Published:    2024-03-07" in out and "Language:     en" in out
    assert "On 7 March 2024 Lithuania's defence minister" in out


def test_fetch_source_fails_with_the_reason_and_no_traceback(news, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(CommandError, match="127.0.0.1 is a loopback address"):
        call_command("fetch_source", news.url("/patriot"))


# --- the admin's look-up ---


@pytest.fixture
def editor(client, db):
    user = factories.staff_user("edna", "Editor")
    client.force_login(user)
    return user


def look_up(client, **params) -> tuple[int, dict]:
    response = client.get(reverse("admin:events_source_lookup"), params)
    return response.status_code, json.loads(response.content)


def test_the_look_up_answers_with_what_the_page_says_and_keeps_a_saved_sources_page(
    news, private_allowed, client, editor
):
    news.pages["/patriot"] = Answer(article())
    status, found = look_up(client, url=news.url("/patriot"))
    assert status == 200
    assert found == {
        "url": news.url("/patriot"),
        "final_url": news.url("/patriot"),
        "publisher": "LRT English",
        "title": "Lithuania to host Patriot air defence systems on rotation",
        "published_on": "2024-03-07",
        "language": "en",
        "copy_kept": False,
    }
    assert not SourceSnapshot.objects.exists()  # no saved source: nothing kept

    source = factories.event().sources.create(url=news.url("/patriot"), publisher="LRT")
    status, found = look_up(client, url=news.url("/patriot"), source=source.pk)
    assert (status, found["copy_kept"]) == (200, True)
    snapshot = source.snapshots.get()
    assert (snapshot.finding, snapshot.http_status, snapshot.final_url) == (Finding.OK, 200, news.url("/patriot"))
    assert "Patriot air defence systems on rotation" in snapshot.text


def test_a_failed_look_up_says_why_and_writes_nothing(news, private_allowed, client, editor):
    source = factories.event().sources.create(url=news.url("/slow"), publisher="LRT")
    news.pages["/slow"] = Answer(article(), delay=1.5)
    status, answer = look_up(client, url=news.url("/slow"), source=source.pk)
    assert status == 502 and "did not answer within 0.5 s" in answer["error"]
    private_allowed.SOURCE_FETCH_ALLOW_PRIVATE = False
    status, answer = look_up(client, url=news.url("/slow"), source=source.pk)
    assert status == 502 and "127.0.0.1 is a loopback address" in answer["error"]
    assert not SourceSnapshot.objects.exists()


def test_the_look_up_is_for_staff_and_throttled_per_user(client, editor):
    assert look_up(client) == (400, {"error": "Paste the page's address first."})
    for _ in range(LOOKUPS_PER_MINUTE - 1):
        look_up(client)
    status, answer = look_up(client)
    assert status == 429 and f"At most {LOOKUPS_PER_MINUTE} look-ups a minute" in answer["error"]
    client.logout()
    assert client.get(reverse("admin:events_source_lookup"), {"url": "https://news.example/"}).status_code == 302


def test_https_is_verified_against_the_name_in_the_url_though_the_checked_address_is_connected_to(
    private_allowed, tmp_path, monkeypatch
):
    certificate, key = self_signed_certificate(tmp_path, "localhost")
    with PageServer(tls=(certificate, key)) as secure:
        secure.pages["/patriot"] = Answer(article())
        # Not trusted: refused, with the reason.
        assert "its secure connection could not be verified (self-signed certificate)" in refused(
            secure.url("/patriot", host="localhost")
        )
        # Trusted (as a certificate authority would make it): the name in the URL is the one checked…
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
        page = fetch(secure.url("/patriot", host="localhost"))
        assert read(page).publisher == "LRT English"
        assert secure.requests[-1] == ("/patriot", f"localhost:{secure.port}")
        # …so the same server asked for by its address, which the certificate does not name, is refused.
        assert "could not be verified (hostname '127.0.0.1' doesn't match 'localhost')" in refused(
            secure.url("/patriot")
        )


def test_an_address_with_spaces_or_letters_beyond_ascii_is_sent_percent_encoded(news, private_allowed):
    news.pages["/naujienos/%C5%BEinia%20dienos?p=%C4%8D"] = Answer(article())
    assert read(fetch(news.url("/naujienos/žinia dienos?p=č#top"))).publisher == "LRT English"
