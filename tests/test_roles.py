"""Editor and Publisher: the rule "only a publisher publishes" holds on the server, not only in the UI."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from events.models import Event
from events.roles import EDITOR_PERMISSIONS, PUBLISH_PERMISSION
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:events_event_changelist")


def ready_event(**kw):
    """In review, with an initiator and a source: everything publishing needs."""
    event = factories.published_event(**kw)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.IN_REVIEW, published_at=None)
    return Event.objects.get(pk=event.pk)


@pytest.fixture
def editor(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    return client


def test_setup_roles_can_be_run_again_and_restores_the_permissions():
    call_command("setup_roles")
    editor = Group.objects.get(name="Editor")
    editor.permissions.clear()
    call_command("setup_roles")
    call_command("setup_roles")
    assert Group.objects.filter(name__in=["Editor", "Publisher"]).count() == 2
    assert editor.permissions.count() == len(EDITOR_PERMISSIONS)
    publisher = Group.objects.get(name="Publisher").permissions
    assert publisher.filter(codename="publish_event").exists()
    assert not editor.permissions.filter(codename="publish_event").exists()


def test_an_editor_does_not_see_the_publish_action_or_button(editor):
    event = ready_event()
    changelist = editor.get(CHANGELIST).content.decode()
    assert 'value="send_to_review"' in changelist and 'value="publish"' not in changelist
    form = editor.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'name="_publish"' not in form


def test_a_direct_post_of_the_publish_action_by_an_editor_publishes_nothing(editor):
    event = ready_event()
    editor.post(CHANGELIST, {"action": "publish", "_selected_action": [event.pk]})
    assert Event.objects.get(pk=event.pk).status == Event.Status.IN_REVIEW


def test_a_direct_post_of_the_publish_button_by_an_editor_is_forbidden_and_saves_nothing(editor):
    event = ready_event()
    data = factories.admin_event_form(event, _publish="1", title="Changed by the editor")
    response = editor.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.IN_REVIEW and event.title != "Changed by the editor"


def test_an_editor_cannot_set_the_status_field_nor_retract(editor):
    event = ready_event()
    data = factories.admin_event_form(event, status="published", published_at="2024-03-09 10:00")
    editor.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert Event.objects.get(pk=event.pk).status == Event.Status.IN_REVIEW

    public = factories.published_event()
    response = editor.post(reverse("admin:events_event_retract", args=[public.pk]), {"retraction_note": "no"})
    assert response.status_code == 403
    assert Event.objects.get(pk=public.pk).status == Event.Status.PUBLISHED


def test_an_editor_cannot_change_what_readers_see(editor):
    public = factories.published_event(title="As published")
    data = factories.admin_event_form(public, title="Quietly changed")
    response = editor.post(reverse("admin:events_event_change", args=[public.pk]), data)
    assert response.status_code == 403
    assert Event.objects.get(pk=public.pk).title == "As published"


def test_a_publisher_publishes_with_the_action(client):
    user = factories.staff_user("pia", "Publisher")
    assert user.has_perm(PUBLISH_PERMISSION)
    client.force_login(user)
    event = ready_event()
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [event.pk]})
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
