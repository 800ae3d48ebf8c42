"""One news story entered from its URL, as an Editor does it in Chromium, within the issue's budget: at
most 2 page loads, 15 clicks and 150 typed characters (issue 20, "What it must show").

The story: "On 7 March 2024 Lithuania's defence minister announced that a European NATO ally would deploy
Patriot air defence systems on rotation", on a local news page with OpenGraph and JSON-LD. The editor
pastes its URL and fills the source from the page (publisher, title, date: and the new event's empty
title and date with them), types a summary, picks the type and the two initiators, links the reaction
with the source on the same page as its basis, picks Vilnius from the gazetteer, is warned of the
likely duplicate the record already holds before anything is saved, says why it is kept, and saves it
to review. Every click and key goes through `Hands`, which counts them (a key is a typed character);
page loads are the main frame's navigations. The count starts on the event list, logged in.

With ENTRY_SCREENSHOT set, the filled entry page is saved there (docs/screenshots/entry.png)."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from editorial import gazetteer
from events.models import Event, EventActor, NotDuplicate, Reaction
from events.taxonomy import ensure_event_types
from tests import factories
from tests.browser_helpers import sign_in
from tests.page_server import Answer, PageServer, article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_LOADS, MOST_CLICKS, MOST_TYPED = 2, 15, 150
SCREENSHOT = os.environ.get("ENTRY_SCREENSHOT", "")
HEADLINE = "Lithuania to host Patriot air defence systems on rotation"  # the page's own (tests/page_server.py)
HELD = "Lithuania announces NATO rotational air defence with Patriot systems from a European ally"
SUMMARY = "An ally will deploy Patriots on rotation."
REASON = "Test entry, on purpose."


class Hands:
    """The editor's mouse and keyboard: each click is one click, each key one typed character."""

    def __init__(self, page) -> None:
        self.page, self.clicks, self.typed, self.loads = page, 0, 0, 0
        page.on("framenavigated", self.navigated)

    def navigated(self, frame) -> None:
        """A page load: a navigation of the main frame (a POST answered by a redirect is one)."""
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, target) -> None:
        self.clicks += 1
        (self.page.locator(target) if isinstance(target, str) else target).click()

    def type(self, text: str) -> None:
        self.typed += len(text)
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.typed += 1
        self.page.keyboard.press(key)

    def type_into(self, selector: str, text: str) -> None:
        self.click(selector)
        self.type(text)

    def choose(self, select_id: str, typed: str, option: str) -> None:
        """An autocomplete: open it, type the start of a name, Enter on the suggestion once it is there
        (the suggestions for what was typed, not those shown as it opened)."""
        self.click(f"#{select_id} + .select2 .select2-selection")
        # A person types once the box is open: on a loaded machine it can open after the click returns.
        expect(self.page.locator(".select2-container--open .select2-search__field")).to_be_focused()
        with self.page.expect_response(lambda response: f"term={quote(typed)}&" in response.url):
            self.type(typed)
        expect(self.page.locator(".select2-results__option--highlighted")).to_contain_text(option)
        self.press("Enter")
        expect(self.page.locator(f"#{select_id} + .select2 .select2-selection__rendered")).to_contain_text(option)


@pytest.fixture(scope="module", autouse=True)
def gazetteer_read():
    """The app process reads its gazetteer once, on its first look-up (about a second): before the test."""
    gazetteer.suggest("Vilnius")


@pytest.fixture
def news(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True  # the server fetches the local news site (tests/page_server.py)
    with PageServer() as server:
        server.pages["/news/patriot"] = Answer(article())
        yield server


def test_an_editor_enters_the_story_from_its_url_within_two_loads_fifteen_clicks_and_150_characters(
    page, live_server, news
):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    lithuania_country = factories.country("LT")
    lithuania, nato = factories.actor("Lithuania"), factories.actor("NATO")
    held = factories.published_event(title=HELD, date=datetime.date(2024, 3, 7), type="defence-pledge")
    EventActor.objects.create(event=held, actor=lithuania, role=EventActor.Role.INITIATOR)
    iskanders = factories.published_event(title="Iskanders moved to Kaliningrad", date=datetime.date(2024, 3, 1))
    sign_in(page, "edna", reverse("admin:events_event_changelist"))
    expect(page.locator("#changelist")).to_be_visible()

    hands = Hands(page)
    hands.click(page.get_by_role("link", name="Add event"))
    page.wait_for_load_state("load")  # the form's scripts are running (the editor waits for the page)
    hint = page.locator("#likely-duplicates")
    expect(hint).to_be_hidden()  # until the entry looks like one
    hands.type_into("#id_sources-0-url", news.url("/news/patriot"))
    with page.expect_response(lambda response: "/source/lookup/" in response.url):
        hands.click("#sources-0 button.fill-from-page")
    expect(page.locator("#id_sources-0-publisher")).to_have_value("LRT English")
    expect(page.locator("#id_sources-0-title")).to_have_value(HEADLINE)
    expect(page.locator("#id_sources-0-published_on")).to_have_value("2024-03-07")
    expect(page.locator("#id_title")).to_have_value(HEADLINE)  # the new event's, empty until then
    expect(page.locator("#id_date")).to_have_value("2024-03-07")
    hands.type_into("#id_summary", SUMMARY)
    hands.choose("id_event_type", "pledge", "Announced deployment or defence pledge")
    hands.choose("id_event_actors-0-actor", "Lith", "Lithuania")
    hands.choose("id_event_actors-1-actor", "NATO", "NATO")

    # The record holds the story already: said before anything is saved, with a link to it.
    expect(hint.get_by_role("link", name=f"7 March 2024 · {HELD}")).to_be_visible()
    expect(hint).to_contain_text("the same type and actors")
    assert not Event.objects.filter(title=HEADLINE).exists()

    hands.click("#reaction_links-group .add-row a")
    hands.choose("id_reaction_links-0-responds_to", "Iska", iskanders.title)
    hands.type_into("#id_reaction_links-0-basis_entered_source", "1")  # the source entered above
    hands.type_into("#id_location_name", "Vilnius")
    hands.click(page.get_by_role("button", name="Vilnius, Lithuania (54.68916, 25.2798)"))
    expect(page.locator("#id_latitude")).to_have_value("54.68916")
    hands.click("#id_not_a_duplicate")
    hands.type_into("#id_not_duplicate_reason", REASON)
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)
    hands.click("input[name=_submit_review]")
    expect(page.locator(".messagelist .success")).to_contain_text(f"“{HEADLINE}” saved and sent to review.")

    event = Event.objects.get(title=HEADLINE)
    assert (event.status, event.date, event.summary) == (Event.Status.IN_REVIEW, datetime.date(2024, 3, 7), SUMMARY)
    assert event.event_type.slug == "defence-pledge"
    assert {(link.actor, link.role) for link in event.event_actors.all()} == {
        (lithuania, EventActor.Role.INITIATOR),
        (nato, EventActor.Role.INITIATOR),
    }
    source = event.sources.get()
    assert (source.publisher, source.title, source.published_on) == ("LRT English", HEADLINE, datetime.date(2024, 3, 7))
    link = Reaction.objects.get(event=event)
    assert (link.responds_to, link.basis_source) == (iskanders, source)
    assert (event.location_name, event.location_country) == ("Vilnius", lithuania_country)
    assert (event.latitude, event.longitude) == (Decimal("54.68916"), Decimal("25.27980"))
    assert NotDuplicate.objects.get(event=event).reason == REASON
    assert page.console_errors == []
    spent = f"{hands.loads} page loads, {hands.clicks} clicks, {hands.typed} typed characters"
    assert hands.loads <= MOST_LOADS and hands.clicks <= MOST_CLICKS and hands.typed <= MOST_TYPED, spent
