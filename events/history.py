"""Reading the revision history (django-simple-history): what changed, by whom, between two versions.

Used by the admin to explain an edit conflict ("this changed while you were editing") and to show,
on an event's history page, the history of its sources, actors and reactions beside its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from events.models import Event, EventActor, Reaction, Source


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RelatedChange:
    when: Any
    who: str
    what: str  # "Source", "Actor of the event", "Responds to"
    action: str  # "added", "changed", "deleted"
    label: str
    changes: tuple[FieldChange, ...] = ()


HISTORY_TYPES = {"+": "added", "~": "changed", "-": "deleted"}


def _display(model: type[models.Model], field_name: str, value: Any) -> str:
    """A stored value as an editor reads it: the name of a related row, the label of a choice."""
    if value is None or value == "":
        return "—"
    field = model._meta.get_field(field_name)
    if isinstance(field, models.ForeignKey):
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def field_changes(model: type[models.Model], new_record: Any, old_record: Any, *, skip: set[str]) -> list[FieldChange]:
    delta = new_record.diff_against(old_record)
    return [
        FieldChange(
            field=str(model._meta.get_field(change.field).verbose_name),
            old=_display(model, change.field, change.old),
            new=_display(model, change.field, change.new),
        )
        for change in delta.changes
        if change.field not in skip
    ]


def _who(record: Any) -> str:
    return record.history_user.get_username() if record.history_user_id else "someone (no user recorded)"


def changes_since(*, event: Event, version: int) -> tuple[list[FieldChange], list[RelatedChange], list[str]]:
    """What happened to `event` after `version` of it was loaded: its field changes (old → current),
    the changes to its sources, actors and reactions, and who made them."""
    seen = event.history.filter(version=version).order_by("-history_date", "-history_id").first()
    current = event.history.order_by("-history_date", "-history_id").first()
    fields: list[FieldChange] = []
    if seen is not None and current is not None and current.pk != seen.pk:
        fields = field_changes(Event, current, seen, skip={"version", "updated_at"})
    after = seen.history_date if seen is not None else None
    related = related_history(event=event, after=after)
    later = event.history.filter(version__gt=version)
    who = sorted({_who(record) for record in later.select_related("history_user")} | {c.who for c in related})
    return fields, related, who


def related_history(*, event: Event, after: Any = None, limit: int = 200) -> list[RelatedChange]:
    """The history of the event's sources, actor links and reactions, newest first."""
    result: list[RelatedChange] = []
    kinds = [(Source, "Source"), (EventActor, "Actor of the event"), (Reaction, "Responds to")]
    for model, what in kinds:
        records = model.history.filter(event_id=event.pk).select_related("history_user")
        if after is not None:
            records = records.filter(history_date__gt=after)
        for record in records.order_by("-history_date", "-history_id")[:limit]:
            changes: tuple[FieldChange, ...] = ()
            if record.history_type == "~":
                previous = record.prev_record
                if previous is not None:
                    changes = tuple(field_changes(model, record, previous, skip={"updated_at", "event"}))
            result.append(
                RelatedChange(
                    when=record.history_date,
                    who=_who(record),
                    what=what,
                    action=HISTORY_TYPES.get(record.history_type, record.history_type),
                    label=_label(model, record),
                    changes=changes,
                )
            )
    result.sort(key=lambda change: change.when, reverse=True)
    return result[:limit]


def _label(model: type[models.Model], record: Any) -> str:
    if model is Source:
        return f"{record.publisher}: {record.title or record.url or 'untitled'}"
    if model is EventActor:
        return f"{_display(EventActor, 'actor', record.actor_id)} ({_display(EventActor, 'role', record.role)})"
    return f"{_display(Reaction, 'responds_to', record.responds_to_id)} ({_display(Reaction, 'kind', record.kind)})"


def last_publication(*, event: Event) -> Any:
    """The version readers were shown when the event was last published: the first of its latest run of
    published versions (later published versions are edits made since). None if it never was."""
    found = None
    for record in event.history.order_by("-history_date", "-history_id"):
        if record.status == Event.Status.PUBLISHED:
            found = record
        elif found is not None:
            break
    return found


def changes_since_publication(*, event: Event) -> tuple[Any, list[FieldChange], list[RelatedChange]]:
    """What changed since the event was last published (published version → current): its fields, and
    its sources, actors and reactions. The published version is None if it never was published."""
    published = last_publication(event=event)
    if published is None:
        return None, [], []
    current = event.history.order_by("-history_date", "-history_id").first()
    fields = field_changes(Event, current, published, skip={"version"}) if current.pk != published.pk else []
    return published, fields, related_history(event=event, after=published.history_date)
