"""One workflow table: for every status, move and role, the service, the change form's button and the
list's action all do what the table (events/models/workflow.py) says, and nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from events import services
from events.models import Event
from events.models.workflow import TRANSITIONS, Transition
from events.roles import EDITOR, PUBLISHER, ROLES
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:events_event_changelist")
NOTE = "The only source withdrew its report."


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def event_in(status: str) -> Event:
    """An event in `status` that meets what every move requires: an initiator, a source, the note of a
    retraction, and no likely duplicate (events.duplicates): it is dated a week after the test's others."""
    event = factories.published_event(date=datetime.date(2024, 1, 1) + datetime.timedelta(weeks=Event.objects.count()))
    note = NOTE if status == Event.Status.RETRACTED else ""
    Event.objects.filter(pk=event.pk).update(status=status, retraction_note=note)
    return Event.objects.get(pk=event.pk)


def table_allows(transition: Transition, status: str, role: str) -> bool:
    return status in transition.sources and transition.permission in ROLES[role]


def button(transition: Transition, event: Event) -> str:
    """How the change form shows the move: a button that saves the form first, or the retraction's link."""
    return {
        "send_to_review": 'name="_submit_review"',
        "send_back_to_draft": 'name="_send_back_to_draft"',
        "publish": 'name="_publish"',
        "retract": f'href="{reverse("admin:events_event_retract", args=[event.pk])}"',
    }[transition.name]


def move_with_the_service(transition: Transition, event: Event, user) -> None:
    note = {"note": NOTE} if transition.name == "retract" else {}
    services.SERVICES[transition.name](event=event, user=user, **note)


CASES = [
    (status, name, role)
    for status in Event.Status
    for name in TRANSITIONS
    for role in (EDITOR, PUBLISHER)  # roles.ROLES: every role there is
]


@pytest.mark.parametrize(("status", "name", "role"), CASES)
def test_the_service_the_button_and_the_action_agree_with_the_table(client, status, name, role):
    transition = TRANSITIONS[name]
    user = factories.staff_user("someone", role)
    allowed = table_allows(transition, status, role)
    after = transition.target if allowed else status

    # The service.
    event = event_in(status)
    if allowed:
        move_with_the_service(transition, event, user)
    else:
        refusal = ValidationError if transition.permission in ROLES[role] else PermissionDenied
        with pytest.raises(refusal):
            move_with_the_service(transition, event, user)
    assert Event.objects.get(pk=event.pk).status == after

    # The change form's button.
    client.force_login(user)
    event = event_in(status)
    form = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert form.status_code == 200
    assert (button(transition, event) in form.content.decode()) == allowed

    # The list's action: offered to whom the table permits, and refused for each event it does not allow.
    event = event_in(status)
    changelist = client.get(CHANGELIST).content.decode()
    assert (f'value="{name}"' in changelist) == (transition.permission in ROLES[role])
    data = {"action": name, "_selected_action": [event.pk], "confirm": "1", "retraction_note": NOTE}
    page = client.post(CHANGELIST, data, follow=True).content.decode()
    assert Event.objects.get(pk=event.pk).status == after
    if allowed:
        assert f"1 event(s) {transition.done}." in page
    elif transition.permission in ROLES[role]:
        assert f"“{event.title}” not {transition.done}: {transition.refusal(status)}" in page


def test_a_retraction_is_of_a_published_event_only_and_not_retracted_twice():
    retracted = event_in(Event.Status.RETRACTED)
    with pytest.raises(ValidationError) as refused:
        services.retract_event(event=retracted, note="Again.")
    assert refused.value.messages == ["Only a published event can be retracted; this event is retracted."]
    assert Event.objects.get(pk=retracted.pk).retraction_note == NOTE


def test_a_refused_permission_names_the_role_it_needs():
    editor = factories.staff_user("ed", EDITOR)
    with pytest.raises(PermissionDenied, match="You may not publish events: that needs the Publisher role."):
        services.publish_event(event=event_in(Event.Status.IN_REVIEW), user=editor)


def test_a_publisher_sends_an_event_in_review_back_to_draft_from_the_form(client):
    client.force_login(factories.staff_user("pia", PUBLISHER))
    event = event_in(Event.Status.IN_REVIEW)
    url = reverse("admin:events_event_change", args=[event.pk])
    page = client.post(url, factories.admin_event_form(event, _send_back_to_draft="1"), follow=True).content.decode()
    assert f"“{event.title}” saved and sent back to draft." in page
    assert Event.objects.get(pk=event.pk).status == Event.Status.DRAFT
