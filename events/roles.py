"""The two editorial roles, as auth groups: who may enter events and who may also publish them.

`ensure_roles` is re-runnable: it (re)creates both groups and sets their permissions to exactly the
lists below, so running it again after a change to this file brings existing groups in line. It is
called by migration 0005 and by `manage.py setup_roles`.
"""

from __future__ import annotations

from typing import Any

EDITOR = "Editor"
PUBLISHER = "Publisher"
PUBLISH_PERMISSION = "events.publish_event"


def _crud(model: str, *actions: str) -> list[str]:
    return [f"events.{action}_{model}" for action in actions]


# An editor enters and corrects events (with their actors, sources and reactions) and sends them to
# review. No `delete_event`: a public event is retracted, not deleted. The shared vocabulary (actors,
# event types, countries, regions) is shown on published pages and in the public filter lists, so an
# editor only reads it: a new or renamed actor goes through a publisher like any published change.
EDITOR_PERMISSIONS: list[str] = [
    *_crud("event", "add", "change", "view"),
    *_crud("source", "add", "change", "delete", "view"),
    *_crud("eventactor", "add", "change", "delete", "view"),
    *_crud("reaction", "add", "change", "delete", "view"),
    *_crud("actor", "view"),
    *_crud("eventtype", "view"),
    *_crud("country", "view"),
    *_crud("region", "view"),
]

# A publisher may also publish and retract, and maintains the shared vocabulary.
PUBLISHER_PERMISSIONS: list[str] = [
    *EDITOR_PERMISSIONS,
    PUBLISH_PERMISSION,
    *_crud("actor", "add", "change"),
    *_crud("eventtype", "add", "change"),
    *_crud("country", "add", "change"),
    *_crud("region", "add", "change"),
]

ROLES: dict[str, list[str]] = {EDITOR: EDITOR_PERMISSIONS, PUBLISHER: PUBLISHER_PERMISSIONS}


def ensure_roles(*, group_model: Any = None, permission_model: Any = None) -> dict[str, int]:
    """Create or update the groups; returns the number of permissions of each.

    The models are parameters so that a migration can pass its historical models.
    """
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    result = {}
    for name, perms in ROLES.items():
        wanted = {tuple(perm.split(".", 1)) for perm in perms}
        found = [
            p
            for p in permission_model.objects.filter(
                content_type__app_label="events", codename__in=[codename for _, codename in wanted]
            )
        ]
        missing = {codename for _, codename in wanted} - {p.codename for p in found}
        if missing:
            raise LookupError(f"Permissions not found (run migrate first): {', '.join(sorted(missing))}")
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(found)
        result[name] = len(found)
    return result
