"""The parts of an event entered on its form: its actors, sources and reaction links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

from editorial.admin.autocomplete import responds_to_field
from editorial.admin.base import may_edit
from editorial.admin.sources import FILL_FROM_PAGE_JS, FillsFromThePage
from events.models import Event, EventActor, Reaction, Source


class ReviewGuardedInline:
    """Inlines of a public event are read-only to editors, like the event itself."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit(request, obj)


class LabelledRowsFormSet(BaseInlineFormSet):
    """A tabular inline names its columns only in the table head: each control gets its own name too,
    and the delete box says which row it deletes."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = str(form.instance) if form.instance.pk else f"new {self.model._meta.verbose_name}"
        for name, field in form.fields.items():
            # The admin wraps related fields (RelatedFieldWidgetWrapper): the attributes go on the inner
            # widget, this form's own copy.
            widget = getattr(field.widget, "widget", field.widget)
            if name == "DELETE":
                widget.attrs["aria-label"] = f"Delete {row}"
            elif not field.widget.is_hidden:
                widget.attrs["aria-label"] = f"{field.label} ({row})"


class EventActorInline(ReviewGuardedInline, admin.TabularInline):
    model = EventActor
    extra = 1
    autocomplete_fields = ["actor"]
    formset = LabelledRowsFormSet

    def get_extra(self, request, obj=None, **kwargs):
        # A new event usually has two actors (an initiator and a target, or two initiators): two empty
        # rows, so neither needs "Add another" first.
        return 2 if obj is None else self.extra

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class SourceInline(FillsFromThePage, ReviewGuardedInline, admin.StackedInline):
    model = Source
    extra = 1
    fields = [("url", "kind"), ("publisher", "published_on"), "title", "excerpt"]

    class Media:
        js = [FILL_FROM_PAGE_JS]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"  # a pasted "news.example/x" is an https URL
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# The prefix of the event form's source rows (the admin names an inline's formset after the relation).
SOURCE_ROWS = Source._meta.get_field("event").related_query_name()


def entered_source(data: Any, number: int) -> bool:
    """Whether the event form's source #number (as its row is headed, from 1) is entered and kept."""
    rows, row = data.get(f"{SOURCE_ROWS}-TOTAL_FORMS", ""), f"{SOURCE_ROWS}-{number - 1}"
    if not rows.isdigit() or number > int(rows):
        return False
    return bool(data.get(f"{row}-publisher", "").strip()) and not data.get(f"{row}-DELETE")


class ReactionForm(forms.ModelForm):
    """A link added to or changed on a public event must say its basis at once: it is public at once.
    Its basis may be a source entered on the same page, by its row's number, linked once it is saved
    (EventAdmin.save_formset)."""

    basis_entered_source = forms.IntegerField(
        label="or basis: source # on this page",
        required=False,
        min_value=1,
        help_text="A source entered above on this page, by its number (#1, #2 …): no need to save it first.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        event_id = self.instance.event_id
        number = cleaned.get("basis_entered_source")
        if number and cleaned.get("basis_source"):
            self.add_error("basis_entered_source", "Give one basis source: a saved one or one on this page.")
        elif number and not entered_source(self.data, number):
            self.add_error("basis_entered_source", f"There is no source #{number} on this page.")
        has_basis = number or cleaned.get("basis_source") or (cleaned.get("basis_judgement") or "").strip()
        if (
            event_id
            and self.has_changed()
            and not cleaned.get("DELETE")
            and not has_basis
            and Event.objects.filter(pk=event_id).public().exists()
        ):
            raise ValidationError(
                "This event is public: give the link its basis, a source that makes the connection or "
                "the editors' judgement with a reason."
            )
        return cleaned


class ReactionInline(ReviewGuardedInline, admin.StackedInline):
    model = Reaction
    form = ReactionForm
    fk_name = "event"
    extra = 0
    autocomplete_fields = ["responds_to", "basis_source"]
    fields = [("responds_to", "kind"), "note", ("basis_source", "basis_entered_source"), "basis_judgement"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}
    verbose_name = "responds to"
    verbose_name_plural = "responds to (this event is a reaction to …)"
    formset = LabelledRowsFormSet

    def get_queryset(self, request):
        # Each row is labelled with the title of what it responds to (Reaction.__str__).
        return super().get_queryset(request).select_related("responds_to")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "responds_to":
            return responds_to_field(db_field, request, self.admin_site, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
