"""The Editor and Publisher groups (see events/roles.py); `manage.py setup_roles` re-runs the same code."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); create them now so
    # that the groups can be given them in this same migrate run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from events.roles import ensure_roles

    ensure_roles(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0004_history_version_publish_permission"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
