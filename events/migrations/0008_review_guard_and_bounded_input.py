"""Issue 9: the shared vocabulary is a publisher's (roles re-applied), source links are http(s) only."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from events.roles import ensure_roles

    ensure_roles(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("events", "0007_event_date_id_index"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
