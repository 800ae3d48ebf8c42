"""The event's entry form explains itself and shows only what means something (issue 20, "One page per
event"): a new event has no status, publication date, retraction note or preview rows; each link kind,
actor role and source date says what it wants, as its model field declares it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from events.models import EventActor, Reaction, Source
from tests import factories

pytestmark = pytest.mark.django_db

# The rows only a saved event has (EventAdmin's status fieldset).
SAVED_ONLY_ROWS = ["field-status", "field-published_at", "field-retraction_note", "field-preview_link"]


@pytest.fixture
def editor(client):
    client.force_login(factories.staff_user("edna", "Editor"))
    return client


def test_the_add_form_has_no_rows_that_mean_nothing_before_a_save(editor):
    text = editor.get(reverse("admin:events_event_add")).content.decode()
    assert [row for row in SAVED_ONLY_ROWS if row in text] == []


def test_a_saved_events_form_shows_its_status_rows(editor):
    text = editor.get(reverse("admin:events_event_change", args=[factories.event().pk])).content.decode()
    assert [row for row in SAVED_ONLY_ROWS if row in text] == SAVED_ONLY_ROWS


@pytest.mark.parametrize(
    "field",
    [Reaction._meta.get_field("kind"), EventActor._meta.get_field("role"), Source._meta.get_field("published_on")],
    ids=["link kind", "actor role", "source date"],
)
def test_each_field_says_what_it_wants(editor, field):
    text = editor.get(reverse("admin:events_event_add")).content.decode()
    assert field.help_text and escape(field.help_text) in text


def test_every_link_kind_and_role_is_explained():
    for field in (Reaction._meta.get_field("kind"), EventActor._meta.get_field("role")):
        assert all(f"{label}:" in field.help_text for _, label in field.choices)
