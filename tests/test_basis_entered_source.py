"""A reaction link's basis can be a source entered on the same page (issue 20, "One page per event"): the
reaction row names the source by its row's number (#1, #2 …), and the link gets that source once it is
saved, in the same save, so the editor need not "Save and continue editing" first."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from events.models import Event, Reaction, Source
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(client):
    client.force_login(factories.staff_user("edna", "Editor"))
    earlier = factories.published_event(title="Russia moves Iskanders to Kaliningrad", date=datetime.date(2024, 3, 1))
    data = factories.admin_event_form(title="Lithuania to host Patriot systems on rotation")
    factories.add_inline(data, "event_actors", actor=factories.actor("Lithuania").pk, role="initiator")
    factories.add_inline(data, "sources", url="https://lrt.example/patriot", kind="news", publisher="LRT", title="")
    factories.add_inline(data, "reaction_links", responds_to=earlier.pk, kind="response", note="")
    return client, data


def test_a_link_takes_as_its_basis_the_source_entered_on_the_same_page(entry):
    client, data = entry
    data["reaction_links-0-basis_entered_source"] = "1"

    assert client.post(reverse("admin:events_event_add"), data).status_code == 302

    event = Event.objects.get(title="Lithuania to host Patriot systems on rotation")
    link = Reaction.objects.get(event=event)
    assert link.basis_source == Source.objects.get(event=event, publisher="LRT")
    assert list(event.links_without_basis()) == []


@pytest.mark.parametrize(
    ("number", "with_a_saved_source", "error"),
    [("2", False, "There is no source #2 on this page."), ("1", True, "Give one basis source")],
    ids=["no such row", "two sources"],
)
def test_a_basis_row_that_is_not_there_or_comes_with_another_source_is_refused(
    entry, number, with_a_saved_source, error
):
    client, data = entry
    data["reaction_links-0-basis_entered_source"] = number
    if with_a_saved_source:
        data["reaction_links-0-basis_source"] = str(Source.objects.get(publisher="Example News").pk)

    response = client.post(reverse("admin:events_event_add"), data)

    assert response.status_code == 200 and error in response.content.decode()
    assert not Event.objects.filter(title="Lithuania to host Patriot systems on rotation").exists()
