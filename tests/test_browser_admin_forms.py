"""The editors' event form in Chromium: the `responds_to` autocomplete follows the date typed in the
form (before the event is saved) and says what each suggestion is."""

from __future__ import annotations

import datetime

import pytest

from events.taxonomy import ensure_event_types
from tests import factories
from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date


def suggestions(page, typed: str) -> list[str]:
    with page.expect_response(lambda response: "/respondable/" in response.url):  # the list before typing
        page.click("#id_reaction_links-0-responds_to + .select2 .select2-selection")
    with page.expect_response(lambda response: "/respondable/" in response.url and f"term={typed}" in response.url):
        page.fill(".select2-container--open .select2-search__field", typed)
    page.wait_for_function(
        "() => !document.querySelector('.select2-container--open .loading-results')"
        " && document.querySelector('.select2-container--open .select2-results__option')"
    )
    texts = page.locator(".select2-container--open .select2-results__option").all_inner_texts()
    page.click("#content h1")  # closed by a click: Select2 swallows the next search after an Escape
    return texts


def test_the_autocomplete_offers_only_events_on_or_before_the_date_in_the_form(page, live_server):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    factories.published_event(slug="announce", title="Patriots announced", date=D(2024, 3, 8))
    factories.event(slug="draft", title="Patriots draft note", date=D(2024, 3, 1))
    factories.published_event(slug="deliver", title="Patriots delivered", date=D(2024, 9, 1))

    sign_in(page, "edna", "/admin/events/event/add/")
    page.click("#reaction_links-group .add-row a")
    page.fill("#id_date", "2024-03-09")
    assert suggestions(page, "Patriots") == [
        "8 March 2024 · Published · Patriots announced",
        "1 March 2024 · Draft · Patriots draft note",
    ]
    page.fill("#id_date", "2024-12-31")
    assert suggestions(page, "delivered") == ["1 September 2024 · Published · Patriots delivered"]
    assert page.console_errors == []
