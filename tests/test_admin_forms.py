"""The editors' forms without traps: a reaction that cannot be is refused on the first save, the
autocomplete offers only what can be linked and says what it is, dates are ISO, a repeated title gets
its own slug, and inline rows are named."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from events.models import Event, Reaction
from tests import factories

pytestmark = pytest.mark.django_db

ADD = reverse("admin:events_event_add")
RESPONDABLE = reverse("admin:events_event_respondable")
D = datetime.date


@pytest.fixture
def editor(client):
    client.force_login(factories.staff_user("edna", "Editor"))
    return client


@pytest.fixture
def publisher(client):
    client.force_login(factories.staff_user("pia", "Publisher"))
    return client


def add_form(**overrides) -> dict:
    data = factories.admin_event_form(**overrides)
    factories.add_inline(data, "event_actors", actor=factories.actor("Russia", slug="russia").pk, role="initiator")
    return data


def errors(response) -> str:
    assert response.status_code == 200, "the form is shown again, not saved"
    return " ".join(" ".join(e) for e in response.context["errors"])


def test_a_reaction_to_a_later_event_is_refused_on_the_first_save_of_the_add_form(editor):
    later = factories.published_event(slug="later", title="Later announcement", date=D(2024, 3, 20))
    data = add_form(date="2024-03-08")
    factories.add_inline(data, "reaction_links", responds_to=later.pk, kind="response")
    response = editor.post(ADD, data)
    assert "cannot respond to a later one" in errors(response)
    assert not Event.objects.filter(title=data["title"]).exists(), "nothing half-written"


def test_a_published_event_cannot_respond_to_a_draft(publisher):
    draft = factories.event(slug="draft", title="Unreviewed claim", date=D(2024, 3, 1))
    published = factories.published_event(slug="pub", title="Published warning", date=D(2024, 3, 9))
    data = factories.admin_event_form(published)
    factories.add_inline(data, "reaction_links", responds_to=draft.pk, kind="response")
    response = publisher.post(reverse("admin:events_event_change", args=[published.pk]), data)
    assert "cannot respond to “Unreviewed claim”, which is draft" in errors(response)
    assert not Reaction.objects.filter(event=published).exists()


def test_publishing_an_event_that_responds_to_a_draft_names_the_draft():
    draft = factories.event(slug="draft", title="Unreviewed claim", date=D(2024, 3, 1))
    reacting = factories.event(slug="reacting", title="Reply", date=D(2024, 3, 2))
    factories.reaction(reacting, draft)
    assert "It responds to “Unreviewed claim”, which is not published" in " ".join(reacting.publish_problems())


def test_moving_an_event_after_its_reactions_is_refused(publisher):
    original = factories.published_event(slug="original", title="Announcement", date=D(2024, 3, 8))
    reply = factories.published_event(slug="reply", title="Reply", date=D(2024, 3, 9))
    factories.reaction(reply, original)
    data = factories.admin_event_form(original, date="2024-03-12")
    response = publisher.post(reverse("admin:events_event_change", args=[original.pk]), data)
    assert "“Reply” (9 March 2024) responds to this event" in errors(response)


def test_dates_are_iso_and_an_ambiguous_date_is_refused_not_guessed(editor):
    response = editor.post(ADD, add_form(date="03/10/2024"))
    assert "Enter the date as YYYY-MM-DD" in errors(response)
    page = editor.get(ADD).content.decode()
    assert 'placeholder="YYYY-MM-DD"' in page
    assert "How precisely the date is known" in page
    editor.post(ADD, add_form(date="2024-10-03"))
    assert Event.objects.get().date == D(2024, 10, 3)


def test_a_repeated_title_gets_a_unique_slug(editor):
    # The second is a likely duplicate of the first (tests/test_duplicates.py): saved once ticked "not one".
    not_a_duplicate = {"not_a_duplicate": "on", "not_duplicate_reason": "Two entries of one title, on purpose."}
    for marked in ({}, not_a_duplicate):
        response = editor.post(ADD, add_form(title="Zapad exercise begins", date="2021-09-10", **marked))
        assert response.status_code == 302
    first, second = Event.objects.order_by("pk").values_list("slug", flat=True)
    assert second == f"{first}-2"
    assert 'data-prepopulated-fields="[]"' in editor.get(ADD).content.decode(), "the slug is not typed in by a script"


def test_inline_rows_are_named_by_titles_and_their_controls_labelled(editor):
    original = factories.published_event(slug="original", title="Patriots for Lithuania", date=D(2024, 3, 8))
    reply = factories.event(slug="reply", title="Russia warns", date=D(2024, 3, 9))
    factories.reaction(reply, original)
    page = editor.get(reverse("admin:events_event_change", args=[reply.pk])).content.decode()
    assert "Response to “Patriots for Lithuania”" in page
    assert f"{reply.pk} response to {original.pk}" not in page
    assert 'aria-label="Delete Response to “Patriots for Lithuania”"' in page
    assert 'aria-label="Kind (Response to “Patriots for Lithuania”)"' in page


def autocomplete(client, **params) -> list[str]:
    query = {"app_label": "events", "model_name": "reaction", "field_name": "responds_to", "term": ""} | params
    response = client.get(RESPONDABLE, query)
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_autocomplete_shows_date_status_title_and_only_what_can_be_linked(editor):
    factories.published_event(slug="before", title="Patriots for Lithuania", date=D(2024, 3, 8))
    factories.event(slug="draft", title="Draft claim", date=D(2024, 3, 5))
    factories.published_event(slug="after", title="Later news", date=D(2024, 4, 1))
    reacting = factories.published_event(slug="reacting", title="Russia warns", date=D(2024, 3, 9))
    # A new event dated 9 March (the date the form holds, sent by responds_to.js): nothing later.
    assert autocomplete(editor, before="2024-03-09") == [
        "9 March 2024 · Published · Russia warns",
        "8 March 2024 · Published · Patriots for Lithuania",
        "5 March 2024 · Draft · Draft claim",
    ]
    # A published event: not itself, nothing later, no draft.
    assert autocomplete(editor, event=str(reacting.pk)) == ["8 March 2024 · Published · Patriots for Lithuania"]
    assert autocomplete(editor, event=str(reacting.pk), before="not-a-date") == [
        "8 March 2024 · Published · Patriots for Lithuania"
    ]
    assert autocomplete(editor, term="later") == ["1 April 2024 · Published · Later news"]


def test_the_autocomplete_is_for_staff_only(client):
    response = client.get(RESPONDABLE, {"app_label": "events", "model_name": "reaction", "field_name": "responds_to"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
