"""The evidence is kept: check_sources against a local news news whose pages move, vanish and change;
each is reported and kept, the event page links our copy of the vanished one (for public events only),
the admin lists what needs an editor, and check_record warns when every source of an event is gone."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from editorial.models import Finding, SourceSnapshot, sha256
from events import quality
from events.models import Event, Source
from tests import factories
from tests.page_server import Answer, PageServer, article

pytestmark = pytest.mark.django_db

HOST_DELAY_MS = 50


@pytest.fixture
def news(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.SOURCE_FETCH_TIMEOUT = 1
    settings.SOURCE_CHECK_HOST_DELAY_MS = HOST_DELAY_MS
    with PageServer() as server:
        yield server


def texts(news: PageServer, *paths: str) -> None:
    for path in paths:
        news.pages[path] = Answer(article(title=f"Report {path}", text=f"The report at {path}. " * 20))


@pytest.fixture
def patriot(news):
    """A published event whose four sources' pages will stay, move, vanish and change."""
    event = factories.published_event(slug="patriot", title="Patriot systems for Lithuania")
    event.sources.all().delete()
    for path in ("/stays", "/moves", "/vanishes", "/changes"):
        event.sources.create(url=news.url(path), publisher="LRT", title=f"Report {path}")
    texts(news, "/stays", "/moves", "/vanishes", "/changes")
    return event


def check_sources(capsys, *args: str) -> str:
    call_command("check_sources", *args)
    return capsys.readouterr().out


def source(news: PageServer, path: str) -> Source:
    return Source.objects.get(url=news.url(path))


def test_pages_that_move_vanish_and_change_are_each_reported_and_kept(news, patriot, capsys):
    out = check_sources(capsys)
    assert "4 source(s) checked: 4 as kept, 0 moved, 0 gone, 0 changed; 0 could not be read." in out
    first = {snapshot.source.url: snapshot for snapshot in SourceSnapshot.objects.select_related("source")}
    assert {snapshot.finding for snapshot in first.values()} == {Finding.OK}
    assert "The report at /vanishes." in first[news.url("/vanishes")].text

    news.pages["/moves"] = Answer(status=301, headers={"Location": "/moved-here"})
    texts(news, "/moved-here")
    del news.pages["/vanishes"]
    news.pages["/changes"] = Answer(article(title="Report /changes", text="A corrected report. " * 20))
    out = check_sources(capsys, "--since", "0")
    assert "4 source(s) checked: 1 as kept, 1 moved, 1 gone, 1 changed; 0 could not be read." in out
    assert f"moved      LRT: Report /moves: {news.url('/moves')} is now at {news.url('/moved-here')}" in out
    assert f"gone       LRT: Report /vanishes: {news.url('/vanishes')} answered 404" in out
    assert f"changed    LRT: Report /changes: the text at {news.url('/changes')} differs from the copy kept" in out

    latest = {s.pk: s.snapshots.latest_first().first() for s in patriot.sources.all()}
    assert {s.url.rsplit("/", 1)[1]: latest[s.pk].finding for s in patriot.sources.all()} == {
        "stays": Finding.OK,
        "moves": Finding.MOVED,
        "vanishes": Finding.GONE,
        "changes": Finding.CHANGED,
    }
    # The page found as it was is one snapshot checked twice, not a second copy of its text.
    stays = source(news, "/stays").snapshots.get()
    assert stays.checked_at > stays.fetched_at
    gone = source(news, "/vanishes").snapshots.latest_first().first()
    assert (gone.http_status, gone.text, gone.text_sha256) == (404, "", "")
    assert "A corrected report." in source(news, "/changes").snapshots.latest_first().first().text

    # Checked again with nothing new: still changed (until an editor looks), no new snapshot.
    count = SourceSnapshot.objects.count()
    out = check_sources(capsys, "--since", "0")
    assert "4 source(s) checked: 1 as kept, 1 moved, 1 gone, 1 changed" in out
    assert SourceSnapshot.objects.count() == count


def test_the_event_page_links_the_copy_kept_of_a_vanished_page(news, patriot, capsys, client):
    check_sources(capsys)
    kept = source(news, "/vanishes").snapshots.get()
    kept_on = dateformat.format(timezone.localtime(kept.fetched_at), "j F Y")
    page = client.get(reverse("events:detail", args=["patriot"])).content.decode()
    assert "The page is gone" not in page

    del news.pages["/vanishes"]
    check_sources(capsys, "--since", "0")
    copy_url = reverse("events:source_copy", args=["patriot", source(news, "/vanishes").pk])
    page = client.get(reverse("events:detail", args=["patriot"])).content.decode()
    assert page.count("The page is gone") == 1
    assert f'<a href="{copy_url}">copy kept on <time datetime="{kept.fetched_at:%Y-%m-%d}">{kept_on}</time></a>' in page

    response = client.get(copy_url)
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
    again = client.get(copy_url)  # from the readers' cache, with the view's own headers
    assert again["X-Cache"] == "hit" and again["X-Robots-Tag"] == "noindex"
    copy = response.content.decode()
    assert "The page is gone." in copy and "as this record kept it on" in copy
    assert "The report at /vanishes. The report at /vanishes." in copy
    # A page still there has no copy for readers.
    assert client.get(reverse("events:source_copy", args=["patriot", source(news, "/stays").pk])).status_code == 404

    # The page is back: the event page links it again, and the copy is no longer shown.
    texts(news, "/vanishes")
    check_sources(capsys, "--since", "0")
    assert "The page is gone" not in client.get(reverse("events:detail", args=["patriot"])).content.decode()
    assert client.get(copy_url).status_code == 404


def test_a_drafts_kept_copy_is_never_shown(news, capsys, client):
    draft = factories.event(slug="draft", title="Draft")
    hidden = draft.sources.create(url=news.url("/secret"), publisher="LRT", title="Secret")
    texts(news, "/secret")
    check_sources(capsys)
    del news.pages["/secret"]
    check_sources(capsys, "--since", "0")
    assert hidden.snapshots.latest_first().first().finding == Finding.GONE
    copy_url = reverse("events:source_copy", args=["draft", hidden.pk])
    assert client.get(copy_url).status_code == 404
    client.force_login(factories.staff_user("edna", "Editor"))
    assert client.get(copy_url).status_code == 404
    # Published, it is public: the same URL serves the copy.
    Event.objects.filter(pk=draft.pk).update(status=Event.Status.PUBLISHED, published_at=timezone.now())
    assert client.get(copy_url).status_code == 200


def test_a_page_that_cannot_be_read_writes_nothing_and_is_checked_again_next_time(news, patriot, capsys):
    news.pages["/stays"] = Answer(b"<html>down for maintenance</html>", status=503)
    out = check_sources(capsys)
    assert "could not be read  LRT: Report /stays: " in out and "answered 503 Service Unavailable" in out
    assert not source(news, "/stays").snapshots.exists()
    out = check_sources(capsys)  # the others were checked within the day: skipped; this one is due
    assert "1 source(s) checked: 0 as kept, 0 moved, 0 gone, 0 changed; 1 could not be read." in out


def test_a_run_skips_what_was_checked_recently_and_stops_at_its_limit(news, patriot, capsys):
    assert "2 source(s) checked" in check_sources(capsys, "--limit", "2")
    assert "2 source(s) checked" in check_sources(capsys)  # the other two: the run resumes
    assert "0 source(s) checked" in check_sources(capsys)
    three_hours_ago = timezone.now() - datetime.timedelta(hours=3)
    SourceSnapshot.objects.update(fetched_at=three_hours_ago, checked_at=three_hours_ago)
    assert "0 source(s) checked" in check_sources(capsys, "--since", "4h")
    assert "4 source(s) checked" in check_sources(capsys, "--since", "2h")
    # A source given another URL is due at once: its new page has not been checked.
    texts(news, "/new-address")
    Source.objects.filter(url=news.url("/stays")).update(url=news.url("/new-address"))
    assert "1 source(s) checked" in check_sources(capsys)


def test_one_host_is_asked_for_one_page_at_a_time_a_delay_apart(news, patriot, capsys):
    with PageServer() as other:
        texts(other, "/a", "/b")
        for path in ("/a", "/b"):
            patriot.sources.create(url=other.url(path), publisher="ERR", title=f"Other {path}")
        check_sources(capsys)
        for server, pages in ((news, 4), (other, 2)):
            assert len(server.requests) == pages and server.most_at_once == 1
            gaps = [later - earlier for earlier, later in itertools.pairwise(server.request_times)]
            assert min(gaps) >= HOST_DELAY_MS / 1000


def test_each_new_copy_is_submitted_to_the_web_archive_the_operator_configured(news, patriot, capsys, settings):
    settings.SOURCE_ARCHIVE_URL = news.url("/save/")
    for path in ("/stays", "/moves", "/vanishes", "/changes"):
        news.pages[f"/save/{news.url(path)}"] = Answer(status=302, headers={"Location": f"/web/2024/{path}"})
        news.pages[f"/web/2024/{path}"] = Answer(b"<html><body>archived</body></html>")
    check_sources(capsys)
    assert {s.archive_url for s in SourceSnapshot.objects.all()} == {
        news.url(f"/web/2024/{path}") for path in ("/stays", "/moves", "/vanishes", "/changes")
    }
    archived = len(news.requests)
    check_sources(capsys, "--since", "0")  # nothing new: nothing submitted again
    assert [path for path in news.paths()[archived:] if path.startswith("/save/")] == []


def test_the_admin_lists_the_sources_that_need_an_editor(news, patriot, capsys, client):
    check_sources(capsys)
    news.pages["/moves"] = Answer(status=301, headers={"Location": "/moved-here"})
    texts(news, "/moved-here")
    del news.pages["/vanishes"]
    check_sources(capsys, "--since", "0")
    client.force_login(factories.staff_user("edna", "Editor"))
    page = client.get(reverse("admin:events_source_changelist"), {"page": "attention"}).content.decode()
    assert "Report /moves" in page and "Report /vanishes" in page
    assert "Report /stays" not in page and "Report /changes" not in page
    assert "needs attention" in page


def test_check_record_warns_when_every_source_of_a_published_event_is_gone(news, patriot, capsys):
    check_sources(capsys)
    for path in ("/stays", "/moves", "/vanishes"):
        del news.pages[path]
    check_sources(capsys, "--since", "0")
    assert [p.rule for p in quality.every_source_gone(Event.objects.published())] == []
    del news.pages["/changes"]
    check_sources(capsys, "--since", "0")
    problems = list(quality.every_source_gone(Event.objects.published()))
    assert [(p.severity, p.rule, p.event_slug) for p in problems] == [("warning", "every-source-gone", "patriot")]
    # A source without a URL (printed, broadcast) is never found gone: the event stands on it.
    patriot.sources.create(publisher="LRT radio", title="Evening news, 7 March 2024")
    assert list(quality.every_source_gone(Event.objects.published())) == []


# --- the snapshot's invariants: in clean() and in the database ---


def snapshot(**values) -> SourceSnapshot:
    fields = {
        "url": "https://news.example/a",
        "final_url": "https://news.example/a",
        "http_status": 200,
        "finding": Finding.OK,
        "text": "The report.",
        "text_sha256": sha256("The report."),
    }
    return SourceSnapshot(
        source=factories.event().sources.create(url=fields["url"], publisher="LRT"), **fields | values
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"finding": Finding.GONE, "http_status": 404}, "A page gone keeps no text"),
        ({"finding": Finding.GONE, "http_status": 500, "text": "", "text_sha256": ""}, "A page gone keeps no text"),
        ({"http_status": 404}, "a 2xx status"),
        ({"final_url": ""}, "needs its final URL"),
        ({"text_sha256": ""}, "not the SHA-256 of the text kept"),
        ({"finding": Finding.MOVED}, "has not moved"),
        ({"checked_at": timezone.now() - datetime.timedelta(days=1)}, "checked again only after it was fetched"),
    ],
    ids=["gone-with-text", "gone-on-500", "found-on-404", "found-nowhere", "found-without-hash", "moved-here", "early"],
)
def test_a_snapshot_that_contradicts_itself_is_refused_by_clean_and_by_the_database(values, message):
    with pytest.raises(ValidationError, match=message):
        snapshot(**values).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        snapshot(**values).save()


def test_the_hash_kept_is_the_texts():
    with pytest.raises(ValidationError, match="not the SHA-256 of the text kept"):
        snapshot(text_sha256=sha256("Another text.")).full_clean()
    snapshot().full_clean()
    snapshot(finding=Finding.GONE, http_status=None, final_url="", text="", text_sha256="").full_clean()
