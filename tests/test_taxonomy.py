"""The event taxonomy of DESIGN.md is in every database, loaded by a data migration."""

from decimal import Decimal

import pytest

from events.models import EventType
from events.taxonomy import EVENT_TYPES

pytestmark = pytest.mark.django_db


def test_every_type_of_the_design_is_loaded_with_its_cameo_code_and_default():
    loaded = {t.slug: t for t in EventType.objects.all()}
    assert len(loaded) == len(EVENT_TYPES) == 18
    for slug, name, category, cameo, escalation, _ in EVENT_TYPES:
        assert (loaded[slug].name, loaded[slug].category, loaded[slug].cameo_code) == (name, category, cameo)
        assert loaded[slug].default_escalation == Decimal(escalation)


def test_the_scale_runs_from_agreement_to_armed_clash():
    assert EventType.objects.get(slug="armed-clash").default_escalation == Decimal("10.0")
    assert EventType.objects.get(slug="agreement").default_escalation == Decimal("-8.0")
    assert EventType.objects.get(slug="force-deployment").default_escalation == Decimal("7.2")


def test_the_migration_frozen_copy_matches_the_taxonomy_module():
    from importlib import import_module

    taxonomy = import_module("events.migrations.0002_event_taxonomy")
    added = import_module("events.migrations.0009_issue10_link_basis")
    assert taxonomy.EVENT_TYPES + added.NEW_EVENT_TYPES == EVENT_TYPES


def test_an_announced_plan_is_military_posture_below_a_deployment():
    pledge = EventType.objects.get(slug="defence-pledge")
    assert (pledge.name, pledge.category, pledge.default_escalation) == (
        "Announced deployment or defence pledge",
        EventType.Category.MILITARY_POSTURE,
        Decimal("4.0"),
    )
    assert pledge.default_escalation < EventType.objects.get(slug="force-deployment").default_escalation
