"""Issue 9: the shared vocabulary is a publisher's (roles re-applied); source links are http(s) only."""

import django.core.validators
from django.db import migrations, models


def apply_roles(apps, schema_editor):
    from events.roles import ensure_roles

    ensure_roles(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


def unlink_non_web_urls(apps, schema_editor):
    """A stored javascript:, data: or ftp: URL stops being a link: it is kept as the title's text (a
    source without URL needs a title), so nothing is silently lost."""
    Source = apps.get_model("events", "Source")
    web = models.Q(url="") | models.Q(url__istartswith="http://") | models.Q(url__istartswith="https://")
    for source in Source.objects.exclude(web):
        source.title = source.title or source.url[:300]
        source.url = ""
        source.save(update_fields=["title", "url"])


URL_FIELD = models.URLField(
    blank=True,
    help_text="Optional: printed or broadcast sources may have none.",
    max_length=500,
    validators=[
        django.core.validators.URLValidator(
            message="Enter a web address (http:// or https://).", schemes=["http", "https"]
        )
    ],
    verbose_name="URL",
)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("events", "0007_event_date_id_index"),
    ]

    operations = [
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
        migrations.AlterField(model_name="historicalsource", name="url", field=URL_FIELD),
        migrations.AlterField(model_name="source", name="url", field=URL_FIELD),
        migrations.RunPython(unlink_non_web_urls, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("url", ""), ("url__istartswith", "http://"), ("url__istartswith", "https://"), _connector="OR"
                ),
                name="source_url_is_web",
            ),
        ),
    ]
