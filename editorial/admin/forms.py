"""The event's form, which refuses a save from a stale copy and says what changed meanwhile, and saves a
likely duplicate only with an editor's word that it is not one."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import inlineformset_factory

from events import duplicates, history
from events.models import Event, EventActor, EventType, NotDuplicate, Reaction

# The actors entered on the same page (the admin's actors inline, saved after this form), read with a
# formset of the same rows and prefix: a likely duplicate by its actors is caught on the first save.
EnteredActors = inlineformset_factory(Event, EventActor, fields=["actor", "role"], extra=0)

# What the editor is told when a likely duplicate stops the save, and when the tick comes without a reason.
LOOKS_LIKE_A_DUPLICATE = (
    "Not saved: this event looks like a duplicate of the events listed above. If it is one, open it there "
    "instead; if it is not, tick “Not a duplicate” and say why."
)
REASON_NEEDED = "Say why it is not a duplicate: the reason is kept in the history."


class EventAdminForm(forms.ModelForm):
    duplicate_rule = duplicates.RULE
    # The source rows entered with the event, once saved: a reaction row may name one as its basis.
    entered_sources: list[forms.ModelForm] = []
    # The version the editor loaded, sent back on save: Event.save() refuses it if someone saved since.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Shown with the likely duplicates (events.duplicates), only when there are some not yet marked.
    not_a_duplicate = forms.BooleanField(
        label="Not a duplicate", required=False, help_text="Each event listed above is a different event from this one."
    )
    not_duplicate_reason = forms.CharField(
        label="Why not",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="For the editors and the history, not for readers: e.g. “two expulsions, one each way”.",
    )

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
        # A saved event's likely duplicates are shown as soon as its form opens (the publisher's review
        # sees them); an entry's, once checked on save (clean).
        self.likely_duplicates: list[duplicates.LikelyDuplicate] = (
            duplicates.likely_duplicates_of(event=self.instance) if self.instance.pk and not self.is_bound else []
        )

    @property
    def pending_duplicates(self) -> list[duplicates.LikelyDuplicate]:
        """The likely duplicates no editor has marked "not a duplicate" yet."""
        return duplicates.unmarked(self.likely_duplicates)

    def entered_actors(self) -> duplicates.Actors:
        """The actors as entered on this page; the saved ones if the actors' rows cannot be read (their
        own errors are shown with them)."""
        if self.is_bound:
            rows = EnteredActors(self.data, instance=self.instance)
            if rows.is_valid():
                return frozenset(
                    (row.cleaned_data["actor"].pk, row.cleaned_data["role"])
                    for row in rows.forms
                    if row.cleaned_data and not row.cleaned_data.get("DELETE")
                )
        saved = EventActor.objects.filter(event=self.instance) if self.instance.pk else EventActor.objects.none()
        return duplicates.actor_sets(saved).get(self.instance.pk, frozenset())

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
        self.check_duplicates(cleaned)
        return cleaned

    def check_duplicates(self, cleaned: dict[str, Any]) -> None:
        """Saved only once each likely duplicate is marked, or ticked "not a duplicate" with a reason."""
        title, date, event_type = cleaned.get("title"), cleaned.get("date"), cleaned.get("event_type")
        if not title or not date:
            return
        self.likely_duplicates = duplicates.likely_duplicates(
            title=title,
            date=date,
            event_type_id=event_type.pk if event_type else None,
            actors=self.entered_actors(),
            exclude_pk=self.instance.pk,
        )
        if not self.pending_duplicates:
            return
        if not cleaned.get("not_a_duplicate"):
            self.add_error("not_a_duplicate", LOOKS_LIKE_A_DUPLICATE)
        elif not cleaned.get("not_duplicate_reason", "").strip():
            self.add_error("not_duplicate_reason", REASON_NEEDED)

    def save_not_duplicates(self) -> list[NotDuplicate]:
        """Once the event is saved: mark it not a duplicate of each likely one, with the editor's reason."""
        if not self.cleaned_data.get("not_a_duplicate"):
            return []
        return duplicates.mark_not_duplicates(
            event=self.instance,
            others=[duplicate.event for duplicate in self.pending_duplicates],
            reason=self.cleaned_data["not_duplicate_reason"],
        )


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
