"""Revision history: who changed what, when, with old and new values, from every write path."""

import io

import pytest
from django.urls import reverse

from editorial import importing
from events import services
from events.models import Event, EventActor, Source
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_admin_edit_records_the_user_and_the_old_and_new_values(client):
    user = factories.staff_user("anna", "Editor")
    client.force_login(user)
    event = factories.event(title="Old title")
    client.post(
        reverse("admin:events_event_change", args=[event.pk]), factories.admin_event_form(event, title="New title")
    )
    latest, previous = event.history.all()[:2]
    assert latest.history_user == user
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(previous).changes}
    assert changes["title"] == ("Old title", "New title")


def test_the_history_page_shows_event_and_source_changes(client):
    user = factories.staff_user("anna", "Editor")
    client.force_login(user)
    event = factories.event(title="Old title")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = factories.admin_event_form(event, title="New title")
    factories.add_inline(data, "sources", url="https://lrt.example/1", kind="news", publisher="LRT", title="")
    client.post(url, data)
    event.refresh_from_db()
    data = factories.admin_event_form(event)
    data["sources-0-publisher"] = "LRT English"
    client.post(url, data)

    page = client.get(reverse("admin:events_event_history", args=[event.pk])).content.decode()
    assert "Old title" in page and "New title" in page and "anna" in page
    assert "Source added: LRT" in page
    assert "publisher:</strong> LRT &rarr; LRT English" in page


def test_workflow_actions_record_history_with_their_reason(client):
    publisher = factories.staff_user("pia", "Publisher")
    client.force_login(publisher)
    event = factories.event(status=Event.Status.IN_REVIEW)
    EventActor.objects.create(event=event, actor=factories.actor("NATO"), role=EventActor.Role.INITIATOR)
    Source.objects.create(event=event, url="https://nato.example/a", publisher="NATO")
    client.post(reverse("admin:events_event_changelist"), {"action": "publish", "_selected_action": [event.pk]})
    services.retract_event(event=Event.objects.get(pk=event.pk), note="Withdrawn.", user=publisher)
    reasons = list(event.history.values_list("history_change_reason", "status", "history_user__username")[:2])
    assert reasons == [("Retracted", "retracted", "pia"), ("Published", "published", "pia")]


def test_an_import_records_history_for_events_actors_and_sources():
    user = factories.staff_user("imp", "Editor")
    factories.actor("NATO")
    csv = (
        "slug,date,title,summary,event_type,initiators,source_urls\n"
        "patriots,2024-03-08,Patriots,Announced.,force-deployment,nato,https://nato.example/p\n"
    )
    report = importing.import_events(file=io.BytesIO(csv.encode()), user=user)
    assert report.ok, report.errors
    event = Event.objects.get(slug="patriots")
    record = event.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == ("+", user, "CSV import")
    assert Source.history.filter(event_id=event.pk, history_user=user).count() == 1
    assert EventActor.history.filter(event_id=event.pk, history_user=user).count() == 1

    changed = csv.replace("Announced.", "Announced at the summit.")
    importing.import_events(file=io.BytesIO(changed.encode()), user=user)
    latest = event.history.first()
    assert latest.history_type == "~" and latest.summary == "Announced at the summit."
