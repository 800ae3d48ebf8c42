"""Editors in the admin: the basis of each link and the verification note on the form, the history of a
link's basis, and the data-quality page listing what check_record lists."""

import datetime

import pytest
from django.urls import reverse

from events import history
from events.models import Event, Reaction, Source
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
QUALITY = reverse("admin:events_event_quality")


def change_url(event):
    return reverse("admin:events_event_change", args=[event.pk])


@pytest.fixture
def publisher(client):
    client.force_login(factories.staff_user("pia", "Publisher"))
    return client


@pytest.fixture
def pair():
    announcement = factories.published_event(slug="announcement", title="Patriots for Lithuania", date=D(2024, 3, 7))
    warning = factories.event(slug="warning", title="Russia warns", type="official-warning", date=D(2024, 3, 9))
    return announcement, warning


def test_publishing_from_the_form_names_the_link_without_basis_and_the_judgement_then_publishes(publisher, pair):
    announcement, warning = pair
    data = factories.admin_event_form(warning, _publish="1", verification_note="Reported by one agency only.")
    factories.add_inline(data, "event_actors", actor=factories.actor("Russia").pk, role="initiator")
    factories.add_inline(data, "sources", url="https://news.example/w", kind="news", publisher="Example", title="W")
    factories.add_inline(data, "reaction_links", responds_to=announcement.pk, kind="response", note="")
    text = publisher.post(change_url(warning), data, follow=True).content.decode()
    assert "Saved, but not published" in text and "None is given for the link to “Patriots for Lithuania”" in text
    warning.refresh_from_db()
    assert warning.status == Event.Status.DRAFT
    assert warning.verification_note == "Reported by one agency only."

    data = factories.admin_event_form(warning, _publish="1")
    data["reaction_links-0-basis_judgement"] = "Same subject, two days later."
    text = publisher.post(change_url(warning), data, follow=True).content.decode()
    assert "saved and published" in text
    assert Reaction.objects.get(event=warning).basis_judgement == "Same subject, two days later."


def test_a_link_added_to_a_public_event_needs_its_basis_at_once(publisher, pair):
    announcement, _ = pair
    reply = factories.published_event(slug="reply", title="Vilnius replies", date=D(2024, 3, 12))
    data = factories.admin_event_form(reply)
    factories.add_inline(data, "reaction_links", responds_to=announcement.pk, kind="response", note="")
    response = publisher.post(change_url(reply), data)
    assert response.status_code == 200  # the form again, with the error
    assert "This event is public: give the link its basis" in response.content.decode()
    assert not Reaction.objects.filter(event=reply).exists()

    data[f"reaction_links-{int(data['reaction_links-TOTAL_FORMS']) - 1}-basis_source"] = announcement.sources.get().pk
    assert publisher.post(change_url(reply), data).status_code == 302
    assert Reaction.objects.get(event=reply).basis_source == announcement.sources.get()


def test_the_history_records_a_change_of_basis(pair):
    announcement, warning = pair
    link = factories.reaction(warning, announcement, basis_judgement="")
    link.basis_judgement = "Same subject, two days later."
    link.save()
    changes = [c for c in history.related_history(event=warning) if c.action == "changed"]
    assert [(f.field, f.old, f.new) for f in changes[0].changes] == [
        ("basis: editor's judgement", "—", "Same subject, two days later.")
    ]


def test_editors_see_the_problems_check_record_finds(client, pair):
    announcement, warning = pair
    client.force_login(factories.staff_user("ed", "Editor"))
    changelist = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert f'href="{QUALITY}"' in changelist

    page = client.get(QUALITY).content.decode()
    assert "Events with one source or none" in page and "Links without a basis" in page
    assert "0 errors, 2 warnings" in page  # one source, and it has no date
    assert "It rests on a single source" in page and change_url(announcement) in page
    assert change_url(warning) not in page  # a draft: only with scope=all
    page = client.get(QUALITY + "?scope=all").content.decode()
    assert change_url(warning) in page and "It has no source." in page


def test_the_quality_page_is_for_staff_only(client):
    response = client.get(QUALITY)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_deleting_a_source_that_backs_a_link_is_refused_on_the_form_not_a_server_error(publisher, pair):
    announcement, warning = pair
    factories.reaction(warning, announcement, basis_source=announcement.sources.get())
    data = factories.admin_event_form(announcement)
    data["sources-0-DELETE"] = "on"
    response = publisher.post(change_url(announcement), data)
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert announcement.sources.exists()


def test_an_editor_cannot_change_a_links_own_source_once_the_link_is_public(client, pair):
    announcement, warning = pair
    reply = factories.published_event(slug="reply", title="Vilnius replies", date=D(2024, 3, 12))
    own = Source.objects.create(event=None, url="https://analysis.example/a", publisher="Analyst", title="Why")
    factories.reaction(reply, announcement, basis_source=own)
    before = client.get(reply.get_absolute_url()).content
    client.force_login(factories.staff_user("ed", "Editor"))
    url = reverse("admin:events_source_change", args=[own.pk])
    form = {"event": "", "url": own.url, "kind": own.kind, "publisher": "Quietly changed", "title": "Why"}
    assert client.post(url, form).status_code == 403
    assert client.post(reverse("admin:events_source_delete", args=[own.pk]), {"post": "yes"}).status_code == 403
    client.logout()
    assert client.get(reply.get_absolute_url()).content == before
    assert Source.objects.get(pk=own.pk).publisher == "Analyst"
