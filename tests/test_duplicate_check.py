"""The likely duplicates of an event being typed, asked by the add form's script before it is saved
(editorial/admin/duplicate_check.py): the rule's answer for the title, date, type and actors sent;
editors and publishers only; a clear 400 for a question it cannot read."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from events.models import EventActor
from tests import factories

pytestmark = pytest.mark.django_db

CHECK = reverse("admin:events_event_duplicates")
HELD = "Lithuania announces NATO rotational air defence with Patriot systems from a European ally"


@pytest.fixture
def held():
    event = factories.published_event(title=HELD, date=datetime.date(2024, 3, 7), type="defence-pledge")
    EventActor.objects.create(event=event, actor=factories.actor("Lithuania"), role=EventActor.Role.INITIATOR)
    return event


@pytest.fixture
def editor(client):
    client.force_login(factories.staff_user("edna", "Editor"))
    return client


def question(**overrides) -> dict:
    return {"title": "Patriot air defence to be deployed in Lithuania on rotation", "date": "2024-03-08", **overrides}


def test_the_same_type_and_actors_within_the_window_is_a_likely_duplicate(editor, held):
    actors = [f"{factories.actor(name).pk}:initiator" for name in ("Lithuania", "NATO")]
    asked = question(event_type=str(held.event_type_id), actor=actors)

    response = editor.get(CHECK, asked)

    assert response.status_code == 200
    assert response.json() == {
        "duplicates": [
            {
                "url": reverse("admin:events_event_change", args=[held.pk]),
                "label": f"7 March 2024 · {HELD}",
                "status": "published",
                "why": "the same type and actors",
            }
        ]
    }
    assert editor.get(CHECK, question(event_type=str(held.event_type_id), actor=actors[:1])).json() == {
        "duplicates": []
    }, "not the same actors"
    assert editor.get(CHECK, {**asked, "date": "2024-03-10"}).json()["duplicates"] != []
    assert editor.get(CHECK, {**asked, "date": "2024-03-11"}).json() == {"duplicates": []}, "outside the window"


@pytest.mark.parametrize(
    ("asked", "error"),
    [
        ({"title": "Patriots"}, "date: This field is required."),
        (question(date="07/03/2024"), "date: Enter the date as YYYY-MM-DD, e.g. 2024-03-08."),
        (question(title="Patri\x00ots"), "title: Remove the control character U+0000"),
        (question(actor="12:hero"), "An actor is “<id>:<role>”"),
        (question(actor=[f"{n}:initiator" for n in range(51)]), "At most 50 actors."),
    ],
    ids=["no date", "not ISO", "NUL", "unknown role", "too many actors"],
)
def test_a_question_it_cannot_read_is_a_clear_400(editor, asked, error):
    response = editor.get(CHECK, asked)
    assert response.status_code == 400 and response.json()["error"].startswith(error)


def test_anonymous_visitors_non_staff_users_and_readers_of_the_admin_are_refused(client, held):
    login = reverse("admin:login")
    assert client.get(CHECK, question()).headers["Location"].startswith(login)
    client.force_login(User.objects.create_user("reader", password="pw"))
    assert client.get(CHECK, question()).headers["Location"].startswith(login)
    client.force_login(factories.staff_user("stranger"))  # staff, but neither Editor nor Publisher
    assert client.get(CHECK, question()).status_code == 403
