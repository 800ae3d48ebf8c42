"""The inbox in Debian's headless Chromium: an Editor accepts a group of reports as a draft (pre-filled with
its sources and actors) and merges another into an event of the record; a Publisher publishes the draft;
nothing of it reaches readers before."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from events.models import Event, EventActor
from events.taxonomy import ensure_event_types
from inbox.models import Candidate
from tests import factories
from tests.factories import INBOX_FIXTURES
from tests.test_browser_admin import log_in

# live_server needs real transactions (see tests/test_browser_admin.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READERS = ("/", "/export.csv", "/feed/", "/api/events/", "/export.geojson", "/api/changes/")


def reader_sees(page, text: str) -> bool:
    return any(text in page.request.get(url).text() for url in READERS)


def test_an_editor_accepts_and_merges_groups_a_publisher_publishes(page, live_server):
    ensure_event_types()
    call_command("setup_roles", verbosity=0)
    factories.baltic_vocabulary()
    for dataset, name in (("gdelt", "gdelt-events.tsv"), ("acled", "acled-export.csv")):
        call_command("ingest", dataset, str(INBOX_FIXTURES / name), stdout=io.StringIO())
    factories.staff_user("edna", "Editor")
    factories.staff_user("pavel", "Publisher")
    threat = factories.event(
        slug="belarus-threat",
        title="Belarus threatens Poland",
        date=datetime.date(2024, 3, 9),
        type="threat-non-military",
    )
    EventActor.objects.create(event=threat, actor=factories.actor("Belarus", slug="belarus"), role="initiator")
    EventActor.objects.create(event=threat, actor=factories.actor("Poland", slug="poland"), role="target")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the table scrolls, not the page
    log_in(page, "edna", "/admin/inbox/candidate/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    merged = page.locator("tr.inbox-group", has_text="https://example.org/gdelt-test/threat")
    merged.get_by_role("button", name="Add as sources of this event").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 source(s) added to “Belarus threatens Poland”")
    assert list(threat.sources.values_list("url", flat=True)) == ["https://example.org/gdelt-test/threat"]

    # By keyboard: tick a group with Space, give the reason, Enter dismisses (the form's first button).
    page.locator("tr.inbox-group", has_text="gdelt-test/statement-0").get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    page.locator("#dismiss-reason").focus()
    page.keyboard.type("Synthetic statements, not security events.")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist .success")).to_contain_text("3 candidate(s) dismissed.")
    assert Candidate.objects.filter(status="dismissed").count() == 3

    deployment = page.locator("tr.inbox-group", has_text="https://example.org/gdelt-test/deployment-0")
    deployment.get_by_role("button", name="Accept as draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text("A draft was made")
    expect(page.locator("#id_title")).to_have_value("Russia: Force deployment (Lithuania)")
    expect(page.locator("#id_date")).to_have_value("2024-03-08")
    expect(page.locator("#id_sources-0-url")).to_have_value("https://example.org/gdelt-test/deployment-0")
    event = Event.objects.get(candidates__dataset_id="9000000001")
    assert {a.slug for a in event.initiators} == {"russia"} and {a.slug for a in event.targets} == {"lithuania"}
    assert event.sources.count() == 5 and event.status == Event.Status.DRAFT
    assert page.locator("input[name=_publish]").count() == 0, "an editor is offered no publish button"
    page.click("input[name=_submit_review]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Event.objects.get(pk=event.pk).status == Event.Status.IN_REVIEW
    page.context.clear_cookies()  # a reader
    assert not reader_sees(page, "Force deployment (Lithuania)"), "nothing reaches readers before publication"
    assert not reader_sees(page, "example.org/gdelt-test")

    log_in(page, "pavel", f"/admin/events/event/{event.pk}/change/")
    page.click("input[name=_publish]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    assert Candidate.objects.filter(event=event, status="accepted").count() == 6
    page.context.clear_cookies()
    assert page.goto(f"/events/{Event.objects.get(pk=event.pk).slug}/").status == 200
    assert "Russia: Force deployment (Lithuania)" in page.content()
    assert page.console_errors == []
