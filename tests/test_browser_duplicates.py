"""A likely duplicate in Debian's headless Chromium: an Editor enters a story the record already holds,
is shown the event it duplicates before anything is saved, and saves only by saying why it is not one."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from events.models import Actor, Event, EventActor, NotDuplicate
from events.taxonomy import ensure_event_types
from tests import factories
from tests.test_browser_admin import choose, log_in

# live_server needs real transactions (see tests/test_browser_admin.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELD = "Lithuania announces NATO rotational air defence with Patriot systems from a European ally"
TYPED = "A European NATO ally will deploy Patriot air defence systems in Lithuania on rotation"


def test_the_editor_sees_the_duplicate_before_it_is_saved_and_saves_only_with_a_reason(page, live_server):
    ensure_event_types()
    call_command("setup_roles", verbosity=0)
    factories.staff_user("edna", "Editor")
    held = factories.published_event(title=HELD, date=datetime.date(2024, 3, 7), type="defence-pledge")
    EventActor.objects.create(event=held, actor=factories.actor("Lithuania"), role=EventActor.Role.INITIATOR)

    log_in(page, "edna", "/admin/events/event/add/")
    page.fill("#id_title", TYPED)
    page.fill("#id_date", "2024-03-07")
    page.fill("#id_summary", "Lithuania's defence minister said a European NATO ally would deploy Patriots.")
    choose(page, "id_event_type", "pledge", "defence pledge")
    choose(page, "id_event_actors-0-actor", "Lith", "Lithuania")
    page.click("#event_actors-group .add-row a")
    choose(page, "id_event_actors-1-actor", "NATO", "NATO")
    page.fill("#id_sources-0-publisher", "LRT")
    page.fill("#id_sources-0-title", "A European NATO ally to deploy Patriots in Lithuania")
    page.click("input[name=_save]")

    hint = page.locator("#likely-duplicates")
    hint.wait_for()
    assert page.locator(".errornote").is_visible()
    link = hint.get_by_role("link", name=f"7 March 2024 · {HELD}")
    assert link.get_attribute("href") == f"/admin/events/event/{held.pk}/change/"
    assert "a similar title (68% of its trigrams shared) and the same type and actors" in hint.inner_text()
    assert not Event.objects.filter(title=TYPED).exists(), "nothing is saved before the editor answers"

    page.check("#id_not_a_duplicate")
    page.fill("#id_not_duplicate_reason", "Checked: the browser test enters it again on purpose.")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    event = Event.objects.get(title=TYPED)
    assert {actor.slug for actor in Actor.objects.filter(event_links__event=event)} == {"lithuania", "nato"}
    mark = NotDuplicate.objects.get(event=event)
    assert (mark.other, mark.reason) == (held, "Checked: the browser test enters it again on purpose.")
    assert page.console_errors == []
