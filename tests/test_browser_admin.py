"""The editors' admin in Debian's headless Chromium: an Editor enters an event through the autocompletes
and sends it to review; a Publisher publishes it; readers then see it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from events.models import Event
from events.taxonomy import ensure_event_types
from tests import factories

# live_server needs real transactions, and the flush after each such test empties the taxonomy that
# migration 0002 loaded: the test puts it back. (serialized_rollback clashes with the content types
# that the flush of an earlier transactional test has already recreated.)
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


def choose(page, select_id: str, typed: str, option: str) -> None:
    """Pick from a Select2 autocomplete as an editor does: open it, type, click the suggestion."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.locator(".select2-container--open .select2-results__option", has_text=option).first.click()


def test_an_editor_enters_an_event_a_publisher_publishes_it_and_readers_see_it(page, live_server):
    ensure_event_types()
    call_command("setup_roles", verbosity=0)
    factories.staff_user("edna", "Editor")
    factories.staff_user("pavel", "Publisher")
    factories.actor("Russia", slug="russia")
    patriots = factories.published_event(title="NATO announces Patriots for Lithuania", initiator="NATO")

    log_in(page, "edna", "/admin/events/event/add/")
    page.fill("#id_title", "Russia warns against more foreign forces in Lithuania")
    page.fill("#id_date", "2024-03-09")
    page.fill("#id_summary", "The Russian MFA warns of a response to new deployments.")
    choose(page, "id_event_type", "warning", "Official warning")
    assert page.input_value("#id_escalation") == "7.0", "escalation is pre-filled from the type"
    choose(page, "id_event_actors-0-actor", "Rus", "Russia")
    page.fill("#id_sources-0-url", "https://tass.example/warning")
    page.fill("#id_sources-0-publisher", "TASS")
    page.click("#reaction_links-group .add-row a")
    choose(page, "id_reaction_links-0-responds_to", "Patriots", "Patriots for Lithuania")
    page.fill("#id_reaction_links-0-basis_judgement", "It warns against the new deployments, a day later.")
    page.click("input[name=_submit_review]")
    page.wait_for_selector(".messagelist .success")

    event = Event.objects.get(title__startswith="Russia warns")
    assert event.status == Event.Status.IN_REVIEW
    assert [a.slug for a in event.initiators] == ["russia"] and event.sources.get().publisher == "TASS"
    assert list(event.responds_to.all()) == [patriots]
    assert page.locator("input[name=_publish]").count() == 0, "an editor is offered no publish button"

    log_in(page, "pavel", f"/admin/events/event/{event.pk}/change/")
    page.click("input[name=_publish]")
    page.wait_for_selector(".messagelist .success")
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED

    page.context.clear_cookies()
    response = page.goto(f"/events/{event.slug}/")
    assert response.status == 200
    assert "Russia warns against more foreign forces" in page.content()
    assert "It warns against the new deployments, a day later." in page.content()  # the link's basis
    assert page.console_errors == []
