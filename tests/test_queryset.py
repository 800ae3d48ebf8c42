"""The Event QuerySet: the query logic every page, chart and export is built from."""

import datetime

import pytest
from django.db import connection

from events.models import Event, Region
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def slugs(qs) -> set[str]:
    return set(qs.values_list("slug", flat=True))


def test_published_and_public_hide_drafts_and_reviews():
    factories.event(slug="draft")
    factories.event(slug="review", status=Event.Status.IN_REVIEW)
    factories.published_event(slug="live")
    retracted = factories.published_event(slug="withdrawn")
    retracted.status, retracted.retraction_note = Event.Status.RETRACTED, "Misattributed."
    retracted.save()
    assert slugs(Event.objects.published()) == {"live"}
    assert slugs(Event.objects.public()) == {"live", "withdrawn"}
    assert slugs(Event.objects.public(include_retracted=False)) == {"live"}


def test_between_keeps_events_whose_span_overlaps_the_window():
    factories.event(slug="before", date=D(2024, 1, 1))
    factories.event(slug="inside", date=D(2024, 3, 8))
    factories.event(slug="running", date=D(2024, 2, 20), end_date=D(2024, 3, 5))
    factories.event(slug="after", date=D(2024, 4, 2))
    assert slugs(Event.objects.between(D(2024, 3, 1), D(2024, 3, 31))) == {"inside", "running"}
    assert slugs(Event.objects.between(None, D(2024, 2, 1))) == {"before"}
    assert slugs(Event.objects.between(D(2024, 4, 1))) == {"after"}
    assert slugs(Event.objects.between(D(2024, 3, 8), D(2024, 3, 8))) == {"inside"}


def test_in_country_and_in_region():
    lt, ru, pl = factories.country("LT"), factories.country("RU"), factories.country("PL")
    factories.event(slug="vilnius", location_country=lt)
    factories.event(slug="kaliningrad", location_country=ru)
    factories.event(slug="warsaw", location_country=pl)
    baltic = Region.objects.create(name="Baltic states", slug="baltic-states")
    baltic.countries.set([lt])
    assert slugs(Event.objects.in_country(lt)) == {"vilnius"}
    assert slugs(Event.objects.in_country([lt, ru])) == {"vilnius", "kaliningrad"}
    assert slugs(Event.objects.in_region(baltic)) == {"vilnius"}


def test_involving_an_actor_in_a_role_gives_each_event_once():
    nato, russia = factories.actor("NATO"), factories.actor("Russia")
    factories.published_event(slug="nato-acts", initiator="NATO", target="Russia")
    factories.published_event(slug="russia-acts", initiator="Russia", target="NATO")
    assert slugs(Event.objects.involving([nato])) == {"nato-acts", "russia-acts"}
    assert slugs(Event.objects.involving([nato], role="initiator")) == {"nato-acts"}
    assert Event.objects.involving([nato, russia]).count() == 2


def test_of_types_category_and_reactions():
    deployment = factories.event(slug="deployment", type="force-deployment")
    warning = factories.event(slug="warning", type="official-warning", date=D(2024, 3, 9))
    factories.event(slug="talks", type="talks")
    factories.reaction(warning, deployment)
    assert slugs(Event.objects.of_types([factories.event_type("talks")])) == {"talks"}
    assert slugs(Event.objects.in_category("military_posture")) == {"deployment"}
    assert slugs(Event.objects.reactions()) == {"warning"}


def test_search_finds_words_in_title_and_summary():
    factories.event(slug="patriot", title="Patriot systems for Lithuania", summary="Air defence.")
    factories.event(slug="zapad", title="Zapad exercise", summary="Russian and Belarusian troops drill.")
    assert slugs(Event.objects.search("patriot")) == {"patriot"}
    assert slugs(Event.objects.search("troops")) == {"zapad"}
    assert slugs(Event.objects.search("   ")) == {"patriot", "zapad"}


def test_search_uses_the_full_text_index_on_postgresql(postgres_only):
    factories.event(title="Patriot systems for Lithuania")
    # order_by(): the question is how rows are found, not how they are sorted.
    sql, params = Event.objects.search("patriot").order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "event_search_vector_gin" in plan, plan


def test_search_stems_words_on_postgresql(postgres_only):
    factories.event(slug="deploys", title="NATO deploys air defence")
    assert slugs(Event.objects.search("deploying")) == {"deploys"}


def test_every_write_path_keeps_the_search_vector_on_postgresql(postgres_only):
    event = factories.event(slug="bulk", title="Quiet week")
    # Writes that bypass save(): the database trigger must still follow them.
    Event.objects.filter(pk=event.pk).update(title="Patriot batteries arrive")
    Event.objects.bulk_create(
        [
            Event(
                slug="bulk-2",
                title="Zapad drills",
                summary="x",
                date=D(2024, 1, 1),
                event_type=event.event_type,
                escalation=event.escalation,
            )
        ]
    )
    assert slugs(Event.objects.search("patriot")) == {"bulk"}
    assert slugs(Event.objects.search("zapad")) == {"bulk-2"}
    assert slugs(Event.objects.search("quiet")) == set()
