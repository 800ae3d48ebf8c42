"""The event's form, which refuses a save from a stale copy and says what changed meanwhile."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from events import history
from events.models import Event, EventType, Reaction


class EventAdminForm(forms.ModelForm):
    # The version the editor loaded, sent back on save: Event.save() refuses it if someone saved since.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "date",
            "date_precision",
            "end_date",
            "summary",
            "event_type",
            "escalation",
            "escalation_note",
            "verification",
            "verification_note",
            "location_country",
            "location_name",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Left empty, it is made from the title and the date."
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        for name in ("date", "end_date"):
            if name in self.fields:
                # ISO only (settings.FORMAT_MODULE_PATH): say so where the date is typed.
                self.fields[name].widget.attrs.update(placeholder="YYYY-MM-DD", inputmode="numeric")
                self.fields[name].error_messages["invalid"] = "Enter the date as YYYY-MM-DD, e.g. 2024-03-08."
        if "date" in self.fields:
            self.fields["date"].help_text = (
                "YYYY-MM-DD, e.g. 2024-03-08. Known only to the month or the year? Enter its first day "
                "(2024-03-01, 2024-01-01) and set the precision."
            )
        if "date_precision" in self.fields:
            self.fields[
                "date_precision"
            ].help_text = "How precisely the date is known: day; month (readers see “March 2024”); year (“2024”)."
        if "escalation" in self.fields:
            # The defaults of every type, for the script that pre-fills escalation when the type changes.
            defaults = {str(pk): str(value) for pk, value in EventType.objects.values_list("pk", "default_escalation")}
            self.fields["escalation"].widget.attrs["data-type-defaults"] = json.dumps(defaults)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        date = cleaned.get("date")
        if self.instance.pk and date:
            # The other direction of Reaction.clean(): events that respond to this one stay after it.
            for reaction in Reaction.objects.filter(responds_to=self.instance, event__date__lt=date).select_related(
                "event"
            ):
                self.add_error(
                    "date",
                    f"“{reaction.event.title}” ({reaction.event.date_display}) responds to this event, "
                    "so this event cannot be dated after it.",
                )
        if self.instance.pk:
            loaded = cleaned.get("loaded_version")
            # Lock the row for the rest of this request (PostgreSQL) so that no save slips in between
            # this check and ours; Event.save() compares the version again in its UPDATE regardless.
            current = Event.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
            current_version = current.first()
            if loaded is None or current_version != loaded:
                raise ValidationError(conflict_message(self.instance, loaded or 0))
            self.instance.version = loaded
        return cleaned


def conflict_message(event: Event, loaded_version: int) -> str:
    fields, related, who = history.changes_since(event=event, version=loaded_version)
    lines = [
        f"Not saved: {', '.join(who) or 'someone'} saved this event while you were editing it. "
        "Nothing was overwritten. What changed meanwhile (the value you loaded → the current value):"
    ]
    lines += [f"• {change.field}: “{change.old}” → “{change.new}”" for change in fields]
    for change in related:
        detail = "; ".join(f"{c.field}: “{c.old}” → “{c.new}”" for c in change.changes)
        lines.append(f"• {change.what} {change.action}: {change.label}" + (f" ({detail})" if detail else ""))
    if len(lines) == 1:
        lines.append("• (the history does not say which fields: reload to see the current version)")
    lines.append("Open the event again to see the current version, then re-apply your changes.")
    return "\n".join(lines)
