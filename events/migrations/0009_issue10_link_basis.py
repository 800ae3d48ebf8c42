"""Issue #10: each reaction link carries its basis (a source or the editor's judgement), events a
public verification note, and the taxonomy a type for announced deployments and defence pledges."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

# Frozen here, not imported from events.taxonomy: a migration must replay the same way forever.
NEW_EVENT_TYPES = [
    (
        "defence-pledge",
        "Announced deployment or defence pledge",
        "military_posture",
        "0334",
        "4.0",
        "Announced plans, summit decisions and brigade roadmaps, as opposed to forces actually deployed.",
    ),
]


def add_event_types(apps, schema_editor):
    EventType = apps.get_model("events", "EventType")
    for slug, name, category, cameo_code, escalation, description in NEW_EVENT_TYPES:
        EventType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "category": category,
                "cameo_code": cameo_code,
                "default_escalation": Decimal(escalation),
                "description": description,
            },
        )


def remove_event_types(apps, schema_editor):
    EventType = apps.get_model("events", "EventType")
    # Only if unused: events keep their type (PROTECT) and the rollback stops with a clear error.
    EventType.objects.filter(slug__in=[t[0] for t in NEW_EVENT_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_review_guard_and_bounded_input"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="verification_note",
            field=models.TextField(
                blank=True,
                help_text="Public: why the event is claimed, confirmed or disputed — who confirms or disputes what.",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="verification_note",
            field=models.TextField(
                blank=True,
                help_text="Public: why the event is claimed, confirmed or disputed — who confirms or disputes what.",
            ),
        ),
        migrations.AddField(
            model_name="historicalreaction",
            name="basis_judgement",
            field=models.TextField(
                blank=True,
                help_text="When no source makes the connection: why the editors judge that this event answers the other.",
                verbose_name="basis: editor's judgement",
            ),
        ),
        migrations.AddField(
            model_name="historicalreaction",
            name="basis_source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="A source that says this event answers the other: one of either event's sources, or its own.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="events.source",
                verbose_name="basis: source",
            ),
        ),
        migrations.AddField(
            model_name="reaction",
            name="basis_judgement",
            field=models.TextField(
                blank=True,
                help_text="When no source makes the connection: why the editors judge that this event answers the other.",
                verbose_name="basis: editor's judgement",
            ),
        ),
        migrations.AddField(
            model_name="reaction",
            name="basis_source",
            field=models.ForeignKey(
                blank=True,
                help_text="A source that says this event answers the other: one of either event's sources, or its own.",
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="backed_links",
                to="events.source",
                verbose_name="basis: source",
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sources",
                to="events.event",
            ),
        ),
        migrations.AddConstraint(
            model_name="reaction",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis_source__isnull", True), ("basis_judgement", ""), _connector="OR"),
                name="reaction_one_basis",
            ),
        ),
        migrations.RunPython(add_event_types, remove_event_types),
    ]
