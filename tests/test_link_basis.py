"""A reaction link is a claim and carries its evidence; an event says why it is claimed, confirmed or disputed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events import services
from events.models import Event, Reaction, Source
from events.selectors import event_filter
from readers.figures.chart import build_chart
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def pair():
    announcement = factories.published_event(slug="announcement", title="Patriots for Lithuania", date=D(2024, 3, 7))
    warning = factories.event(
        slug="warning", title="Russia warns", type="official-warning", date=D(2024, 3, 9), status=Event.Status.IN_REVIEW
    )
    factories.actor("Russia")
    warning.event_actors.create(actor=factories.actor("Russia"), role="initiator")
    Source.objects.create(event=warning, url="https://news.example/warning", publisher="Example News", title="Warns")
    return announcement, warning


def test_publishing_is_refused_while_a_link_has_no_basis(pair):
    announcement, warning = pair
    link = factories.reaction(warning, announcement, basis_judgement="")
    with pytest.raises(ValidationError) as refused:
        services.publish_event(event=warning)
    assert refused.value.messages == [
        "Each reaction link needs its basis: a source that makes the connection, or the editor's judgement "
        "with a reason. None is given for the link to “Patriots for Lithuania”."
    ]
    warning.refresh_from_db()
    assert warning.status == Event.Status.IN_REVIEW
    link.basis_source = announcement.sources.get()
    link.save()
    services.publish_event(event=warning)
    assert Event.objects.get(pk=warning.pk).status == Event.Status.PUBLISHED


def test_a_link_gives_one_basis_never_both(pair):
    announcement, warning = pair
    link = Reaction(
        event=warning, responds_to=announcement, basis_source=warning.sources.get(), basis_judgement="Also mine."
    )
    with pytest.raises(ValidationError, match="Give one basis"):
        link.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()


def test_a_basis_source_belongs_to_either_event_or_to_the_link_alone(pair):
    announcement, warning = pair
    elsewhere = factories.published_event(slug="elsewhere", date=D(2024, 1, 1))
    link = Reaction(event=warning, responds_to=announcement, basis_source=elsewhere.sources.get())
    with pytest.raises(ValidationError, match="one of the two events, or one of the link's own"):
        link.full_clean()
    link.basis_source = Source.objects.create(event=None, url="https://analysis.example/x", publisher="Analyst")
    link.full_clean()


def test_a_source_backing_a_link_cannot_be_deleted_from_under_it(pair):
    from django.db.models import RestrictedError

    announcement, warning = pair
    factories.reaction(warning, announcement, basis_source=announcement.sources.get())
    with pytest.raises(RestrictedError), transaction.atomic():
        announcement.sources.get().delete()
    warning.delete()  # the link goes with its event, and the source may go after it
    announcement.sources.get().delete()


def test_the_event_page_shows_each_links_basis_and_the_verification_note(client, pair):
    announcement, warning = pair
    analysis = Source.objects.create(
        event=None,
        url="https://analysis.example/patriot-warning",
        publisher="Analysis Weekly",
        title="Moscow answers the Patriot plan",
        published_on=D(2024, 3, 10),
    )
    factories.reaction(warning, announcement, basis_source=analysis)
    services.publish_event(event=warning)
    reply = factories.published_event(slug="reply", title="Vilnius replies", date=D(2024, 3, 11))
    factories.reaction(reply, warning, basis_judgement="Same officials, two days later, on the same warning.")
    Event.objects.filter(pk=warning.pk).update(
        verification=Event.Verification.DISPUTED,
        verification_note="No Russian statement of March 2024 was found; the article recalls a January warning.",
    )

    page = client.get("/events/warning/").content.decode()
    assert "Disputed" in page
    assert "No Russian statement of March 2024 was found; the article recalls a January warning." in page
    assert 'href="https://analysis.example/patriot-warning"' in page and "Moscow answers the Patriot plan" in page
    assert "a source of this link's own" in page
    assert "Basis: editors' judgement" in page
    assert "Same officials, two days later, on the same warning." in page


def test_the_chart_draws_judgement_links_dotted_and_sourced_ones_solid(pair):
    announcement, warning = pair
    factories.reaction(warning, announcement, basis_source=announcement.sources.get())
    services.publish_event(event=warning)
    reply = factories.published_event(slug="reply", type="condemnation", date=D(2024, 3, 11))
    factories.reaction(reply, warning, basis_judgement="Same subject, two days later.")
    traces = {t["name"]: t for t in build_chart(event_filter(params={}).qs).figure["data"] if t["mode"] == "lines"}
    sourced = traces["Reaction link: a source says so"]
    judged = traces["Reaction link: editors' judgement (dotted)"]
    assert sourced["line"]["dash"] == "solid" and judged["line"]["dash"] == "dot"
    assert sourced["x"] == [D(2024, 3, 7), D(2024, 3, 9), None]
    assert judged["x"] == [D(2024, 3, 9), D(2024, 3, 11), None]


def test_the_timeline_offers_confirmed_events_only_in_one_click(client, pair):
    announcement, _ = pair
    Event.objects.filter(pk=announcement.pk).update(verification=Event.Verification.CONFIRMED)
    page = client.get("/?country=LT&page=2").content.decode()
    assert 'href="?country=LT&amp;verification=confirmed">Only independently confirmed events</a>' in page
    page = client.get("/?country=LT&verification=confirmed").content.decode()
    assert 'href="?country=LT">Include claimed and disputed events</a>' in page


def test_the_about_page_explains_verification_and_the_basis_of_links(client):
    page = client.get("/about/").content.decode()
    assert 'id="verification"' in page and 'id="links"' in page
    assert "dotted" in page and "editors' judgement" in page.replace("&#x27;", "'")
