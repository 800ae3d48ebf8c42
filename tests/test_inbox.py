"""The editors' inbox: grouping candidates, the likely existing event, accept / merge / dismiss, and that
readers never see a candidate."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import SourceSnapshot
from events.models import EditConflict, Event, EventActor
from inbox import services
from inbox.grouping import grouped, with_likely_events
from inbox.models import Candidate
from inbox.selectors import group_of
from tests import factories
from tests.factories import INBOX_FIXTURES
from tests.page_server import Answer, PageServer, article

INBOX = reverse("admin:inbox_candidate_changelist")


@factories.once_per_module
def inbox():
    """The Baltic vocabulary, both test files ingested, and a published event the deployment story repeats."""
    factories.baltic_vocabulary()
    for dataset, name in (("gdelt", "gdelt-events.tsv"), ("acled", "acled-export.csv")):
        call_command("ingest", dataset, str(INBOX_FIXTURES / name), stdout=io.StringIO())
    factories.published_event(
        slug="deployment",
        title="Russian troops deployed near Lithuania",
        date=datetime.date(2024, 3, 7),
        initiator="Russia",
        target="Lithuania",
    )


def group_with(dataset_id: str):
    groups = grouped(Candidate.objects.filter(status=Candidate.Status.NEW))
    return next(g for g in groups if dataset_id in {c.dataset_id for c in g.candidates})


def ids(group) -> set[str]:
    return {c.dataset_id for c in group.candidates}


def test_reports_of_one_day_actors_and_root_are_one_group(inbox, db):
    assert {f"900000000{n}" for n in range(1, 6)} <= ids(group_with("9000000001"))


def test_rows_coded_differently_from_one_page_are_one_group(inbox, db):
    assert ids(group_with("9000000006")) == {"9000000006", "9000000007"}  # 130 and 1312, one URL


def test_acled_and_gdelt_reports_of_one_event_are_one_group(inbox, db):
    # ACLED's base established in Lithuania (Russia, Lithuania, 2024-03-08: root 15 by its mapped type)
    # and GDELT's five reports of RUSMIL deploying against LTU that day.
    assert ids(group_with("9000000001")) == {"TEST-LTU-0001", *(f"900000000{n}" for n in range(1, 6))}


def test_other_days_actors_or_roots_are_other_groups(inbox, db):
    groups = grouped(Candidate.objects.filter(status=Candidate.Status.NEW))
    assert sum(len(g.candidates) for g in groups) == Candidate.objects.count()
    assert ids(group_with("9000000008")) == {"9000000008", "9000000009", "9000000010"}  # no actors, one day, root 01
    assert group_with("TEST-LVA-0002") is not group_with("TEST-EST-0003")


def test_a_group_is_shown_beside_the_event_of_the_record_it_may_be(inbox, db):
    deployment = group_with("9000000001")
    with_likely_events([deployment])
    assert [d.event.slug for d in deployment.likely] == ["deployment"]
    assert deployment.likely[0].same_actors


def test_accepting_a_group_makes_a_draft_prefilled_from_it(inbox, db):
    group = group_with("9000000001")
    editor = factories.staff_user("editor", role="Editor")
    event = services.accept_group(group=group, user=editor)
    assert event.status == Event.Status.DRAFT
    assert (event.title, event.date, event.event_type.slug) == (
        "Russia: Force deployment (Lithuania)",
        datetime.date(2024, 3, 8),
        "force-deployment",
    )
    assert event.location_country.iso2 == "LT" and event.escalation == event.event_type.default_escalation
    roles = {(link.actor.slug, link.role) for link in event.event_actors.all()}
    assert roles == {("russia", EventActor.Role.INITIATOR), ("lithuania", EventActor.Role.TARGET)}
    urls = sorted(event.sources.exclude(url="").values_list("url", flat=True))
    assert urls == [f"https://example.org/gdelt-test/deployment-{n}" for n in range(4)]
    assert event.sources.filter(url="", title="As coded by ACLED, event TEST-LTU-0001").exists()
    assert set(Candidate.objects.filter(event=event).values_list("status", flat=True)) == {"accepted"}
    history = event.history.first()
    assert history.history_change_reason.startswith("Accepted from the inbox: ACLED TEST-LTU-0001; GDELT 2.0 900000000")
    assert history.history_user == editor


def test_a_group_without_a_proposed_type_needs_one_chosen(inbox, db):
    group = group_with("9000000016")  # CAMEO 020, unmapped
    with pytest.raises(ValidationError, match="Choose the event's type"):
        services.accept_group(group=group)
    talks = factories.event_type("talks")
    assert services.accept_group(group=group, event_type=talks).event_type == talks


def test_a_decided_group_cannot_be_decided_again(inbox, db):
    group = group_with("9000000006")
    services.dismiss_groups(groups=[group], reason="Rhetoric, not an event.")
    with pytest.raises(ValidationError, match="Already decided"):
        services.accept_group(group=group_of(group.ids))


def test_merging_adds_the_groups_sources_to_a_draft(inbox, db):
    draft = factories.event(slug="draft-threat", title="Belarus threatens Poland", date=datetime.date(2024, 3, 9))
    added = services.merge_group(group=group_with("9000000006"), event=draft, user=factories.staff_user("e", "Editor"))
    assert [s.url for s in added] == ["https://example.org/gdelt-test/threat"]
    assert Candidate.objects.filter(event=draft, status="merged").count() == 2


def test_an_editor_cannot_merge_into_a_published_event_a_publisher_can(inbox, db):
    published = Event.objects.get(slug="deployment")
    group = group_with("9000000001")
    before = published.sources.count()
    with pytest.raises(PermissionDenied, match="only a publisher"):
        services.merge_group(group=group, event=published, user=factories.staff_user("e", "Editor"))
    assert published.sources.count() == before
    services.merge_group(group=group, event=published, user=factories.staff_user("p", "Publisher"))
    assert published.sources.count() == before + 5  # four pages, and ACLED's sources


def test_dismissing_needs_a_reason(inbox, db):
    with pytest.raises(ValidationError, match="Say why"):
        services.dismiss_groups(groups=[group_with("9000000006")], reason="  ")
    assert not Candidate.objects.filter(status="dismissed").exists()


# The admin page, as an editor uses it.


def test_the_inbox_lists_groups_for_an_editor_with_filters(inbox, client, db):
    client.force_login(factories.staff_user("editor", role="Editor"))
    page = client.get(INBOX).content.decode()
    assert "https://example.org/gdelt-test/deployment-0" in page and "Russian troops deployed near Lithuania" in page
    only_acled = client.get(INBOX, {"dataset": "acled"}).content.decode()
    assert "TEST-LVA-0002" in only_acled and "9000000016" not in only_acled
    by_date = client.get(INBOX, {"date_from": "2024-03-11", "date_to": "2024-03-11"}).content.decode()
    assert "9000000016" in by_date and "TEST-LVA-0002" not in by_date
    russia = factories.actor("Russia", slug="russia")
    by_actor = client.get(INBOX, {"actor": russia.pk}).content.decode()
    assert "9000000001" in by_actor and "9000000008" not in by_actor


def test_the_inbox_pages_queries_do_not_grow_with_its_groups(inbox, client, db):
    client.force_login(factories.staff_user("editor", role="Editor"))
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    russia, statement = factories.actor("Russia", slug="russia"), factories.event_type("statement")
    Candidate.objects.bulk_create(
        Candidate(
            dataset="gdelt",
            dataset_id=f"91000000{n:02d}",
            date=datetime.date(2024, 4, 1) + datetime.timedelta(days=n),
            event_code="010",
            raw={},
            group_key=f"extra-{n}",
            source_url=f"https://example.org/gdelt-test/extra-{n}",
            initiator=russia,
            proposed_type=statement,
        )
        for n in range(20)
    )
    with CaptureQueriesContext(connection) as more:
        page = client.get(INBOX).content.decode()
    assert "9100000019" in page and len(more) == len(few)


def test_a_control_character_in_the_filters_is_a_bad_request(inbox, client, db):
    client.force_login(factories.staff_user("editor", role="Editor"))
    assert client.get(INBOX, {"date_from": "2024-03-08\x00"}).status_code == 400


def test_the_inbox_is_closed_to_staff_without_the_editors_role(inbox, client, db):
    client.force_login(factories.staff_user("someone"))
    assert client.get(INBOX).status_code == 403


def test_a_candidates_page_shows_its_raw_row_read_only(inbox, client, db):
    client.force_login(factories.staff_user("editor", role="Editor"))
    candidate = Candidate.objects.get(dataset_id="9000000001")
    page = client.get(reverse("admin:inbox_candidate_change", args=[candidate.pk])).content.decode()
    assert "GoldsteinScale" in page and 'name="_save"' not in page


def test_editors_read_the_mappings_publishers_change_them(inbox, client, db):
    mappings = reverse("admin:inbox_actorcode_changelist")
    client.force_login(factories.staff_user("editor", role="Editor"))
    assert "RUS" in client.get(mappings).content.decode()
    assert client.get(reverse("admin:inbox_actorcode_add")).status_code == 403
    client.force_login(factories.staff_user("publisher", role="Publisher"))
    assert client.get(reverse("admin:inbox_actorcode_add")).status_code == 200


def test_accept_in_the_inbox_opens_the_draft(inbox, client, db):
    client.force_login(factories.staff_user("editor", role="Editor"))
    group = group_with("9000000001")
    response = client.post(INBOX, {"accept": group.ids, f"type-{group.ids}": ""})
    event = Event.objects.get(candidates__dataset_id="9000000001")
    assert response.status_code == 302 and response["Location"] == reverse("admin:events_event_change", args=[event.pk])
    assert event.status == Event.Status.DRAFT
    form = client.get(response["Location"]).content.decode()
    assert "made from (inbox)" in form.lower() and "ACLED TEST-LTU-0001; GDELT 2.0 9000000001" in form


def test_accepting_can_read_the_sources_pages_through_the_guarded_fetch(inbox, client, db, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True  # the test's server is on loopback
    page = article(
        title="TEST page of a synthetic report",
        publisher="Example Test News",
        published="2024-03-09T09:00:00+00:00",
        text="A synthetic page for the inbox's tests: nothing here happened.",
    )
    client.force_login(factories.staff_user("editor", role="Editor"))
    with PageServer() as server:
        server.pages["/threat"] = Answer(page)
        Candidate.objects.filter(dataset_id="9000000006").update(source_url=server.url("/threat"))
        Candidate.objects.filter(dataset_id="9000000007").update(source_url=server.url("/gone"))
        group = group_with("9000000006")
        response = client.post(INBOX, {"accept": group.ids, "read_pages": "1"}, follow=True)
    event = Event.objects.get(candidates__dataset_id="9000000006")
    read = event.sources.get(url=server.url("/threat"))
    assert (read.publisher, read.title, read.published_on) == (
        "Example Test News",
        "TEST page of a synthetic report",
        datetime.date(2024, 3, 9),
    )
    assert SourceSnapshot.objects.filter(source=read).exists(), "a copy of the page is kept"
    assert event.sources.get(url=server.url("/gone")).publisher == "127.0.0.1"  # left as it was
    assert f"Page not read: {server.url('/gone')}" in response.content.decode()


def test_bulk_dismiss_in_the_inbox(inbox, client, db):
    client.force_login(factories.staff_user("editor", role="Editor"))
    groups = [group_with("9000000006"), group_with("9000000008")]
    response = client.post(INBOX, {"dismiss": "1", "group": [g.ids for g in groups], "reason": "Not security events."})
    assert response.status_code == 302
    assert Candidate.objects.filter(status="dismissed", dismiss_reason="Not security events.").count() == 5
    refused = client.post(INBOX, {"dismiss": "1", "group": [group_with("9000000016").ids], "reason": ""}, follow=True)
    assert "Say why these candidates are dismissed." in refused.content.decode()


def test_an_editors_merge_into_a_published_event_is_refused_on_the_page(inbox, client, db):
    client.force_login(factories.staff_user("editor", role="Editor"))
    published = Event.objects.get(slug="deployment")
    response = client.post(INBOX, {"merge": f"{group_with('9000000001').ids}|{published.pk}"}, follow=True)
    assert "only a publisher adds sources" in response.content.decode()
    assert not Candidate.objects.filter(status="merged").exists()


# Readers.


def test_candidates_and_their_drafts_never_reach_readers(inbox, client, db):
    services.accept_group(group=group_with("9000000001"))
    for url in (
        "/",
        "/export.csv",
        "/feed/",
        "/api/events/",
        "/export.geojson",
        "/export.timeline.json",
        "/api/changes/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for leak in (b"example.org/gdelt-test", b"Force deployment (Lithuania)", b"TEST-LTU-0001", b"9000000001"):
            assert leak not in body, (url, leak)


def test_data_users_read_which_datasets_and_ids_a_published_event_was_made_from(inbox, client, db):
    publisher = factories.staff_user("p", "Publisher")
    event = services.accept_group(group=group_with("9000000001"), user=publisher)
    made_from = "ACLED TEST-LTU-0001; GDELT 2.0 9000000001, 9000000002, 9000000003, 9000000004, 9000000005"
    assert event.made_from == made_from
    published = Event.objects.get(slug="deployment")
    services.merge_group(group=group_with("9000000006"), event=published, user=publisher)
    published.refresh_from_db()
    assert published.made_from == "GDELT 2.0 9000000006, 9000000007"
    api = client.get(f"/api/events/{published.slug}/").json()
    assert api["made_from"] == published.made_from
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/export.csv").streaming_content).decode())))
    assert {row["slug"]: row["made_from"] for row in rows} == {"deployment": published.made_from}


def test_a_form_opened_before_a_merge_cannot_save_over_it(inbox, db):
    published = Event.objects.get(slug="deployment")
    services.merge_group(group=group_with("9000000006"), event=published, user=factories.staff_user("p", "Publisher"))
    published.title = "Edited from a form opened before the merge"
    with pytest.raises(EditConflict):
        published.save()


def test_the_database_refuses_a_dismissal_without_reason_and_a_decision_without_event(inbox, db):
    candidate = Candidate.objects.get(dataset_id="9000000008")
    for status in ("dismissed", "accepted", "merged"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Candidate.objects.filter(pk=candidate.pk).update(status=status)
