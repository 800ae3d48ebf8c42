"""The event form shows a chosen event type whole (issue 20: "Announced deployment or defen…" was cut off
by the type's combobox): the longest type name fits its box."""

from __future__ import annotations

import pytest
from django.db.models.functions import Length
from django.urls import reverse

from events.models import EventType
from events.taxonomy import ensure_event_types
from tests import factories
from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_longest_event_type_is_shown_whole(page, live_server):
    ensure_event_types()
    factories.staff_user("edna", "Editor")
    longest = EventType.objects.order_by(Length("name").desc()).first()
    event = factories.event(event_type=longest)
    sign_in(page, "edna", reverse("admin:events_event_change", args=[event.pk]))

    chosen = page.locator("#select2-id_event_type-container")
    assert chosen.inner_text().strip().endswith(longest.name)
    assert chosen.evaluate("e => e.scrollWidth <= e.clientWidth"), f"“{longest.name}” is cut off"
    assert page.console_errors == []
