"""Two editors open the same event and both save: the second save is refused, showing what changed."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from events.models import EditConflict, Event, Source
from tests import factories

pytestmark = pytest.mark.django_db


def editors():
    first, second = Client(), Client()
    first.force_login(factories.staff_user("anna", "Editor"))
    second.force_login(factories.staff_user("ben", "Editor"))
    return first, second


def test_the_second_save_is_refused_and_says_what_changed_meanwhile():
    event = factories.event(title="Patriots for Lithuania", summary="First account.")
    url = reverse("admin:events_event_change", args=[event.pk])
    anna, ben = editors()
    # Both open the form: each gets the version it loaded in a hidden input.
    assert f'name="loaded_version" value="{event.version}"' in anna.get(url).content.decode()
    ben.get(url)
    anna_form = factories.admin_event_form(event, title="Patriot systems for Lithuania")
    ben_form = factories.admin_event_form(event, summary="Ben's account.")

    assert anna.post(url, anna_form).status_code == 302
    response = ben.post(url, ben_form)

    assert response.status_code == 200  # the form again, with the error
    text = response.content.decode()
    assert "Not saved: anna saved this event while you were editing it" in text
    assert "title: “Patriots for Lithuania” → “Patriot systems for Lithuania”" in text
    event.refresh_from_db()
    assert event.title == "Patriot systems for Lithuania"
    assert event.summary == "First account.", "Ben's edit did not overwrite anything"


def test_a_change_to_the_sources_meanwhile_is_named_too():
    event = factories.event()
    url = reverse("admin:events_event_change", args=[event.pk])
    anna, ben = editors()
    stale = factories.admin_event_form(event, summary="Ben's account.")
    anna_form = factories.admin_event_form(event)
    factories.add_inline(anna_form, "sources", url="https://lrt.example/1", kind="news", publisher="LRT", title="")
    anna.post(url, anna_form)
    text = ben.post(url, stale).content.decode()
    assert "Source added: LRT" in text
    assert Event.objects.get(pk=event.pk).summary == "Something happened."


def test_a_workflow_step_meanwhile_also_refuses_the_stale_form(client):
    event = factories.event()
    url = reverse("admin:events_event_change", args=[event.pk])
    anna, _ = editors()
    stale = factories.admin_event_form(event, title="Edited late")
    anna.post(reverse("admin:events_event_changelist"), {"action": "send_to_review", "_selected_action": [event.pk]})
    text = anna.post(url, stale).content.decode()
    assert "status: “Draft” → “In review”" in text
    assert Event.objects.get(pk=event.pk).title != "Edited late"


def test_the_model_refuses_a_save_from_a_stale_copy():
    event = factories.event()
    first, second = Event.objects.get(pk=event.pk), Event.objects.get(pk=event.pk)
    first.title = "First"
    first.save()
    second.title = "Second"
    with pytest.raises(EditConflict), transaction.atomic():
        second.save()
    assert Event.objects.get(pk=event.pk).title == "First"
    assert Event.objects.get(pk=event.pk).version == event.version + 1
    assert Source.objects.count() == 0
