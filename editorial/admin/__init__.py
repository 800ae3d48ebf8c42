"""The editors' admin: entry, review and publishing, revision history, concurrent edits, CSV import.

The admin stays thin: status changes go through events.services (which check the Publisher
permission on the server), the import through editorial.importing, and the version check that refuses
a stale save lives in Event.save(). Status is never a form field: it moves only by the workflow.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models, transaction
from django.db.models import Prefetch, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from editorial import importing
from events import history, quality, selectors, services, text
from events.models import (
    PUBLIC_STATUSES,
    Actor,
    Country,
    EditConflict,
    Event,
    EventActor,
    EventQuerySet,
    EventType,
    Reaction,
    Region,
    Source,
    workflow,
)


class RefusesControlCharactersInQueries:
    """A NUL or other control character in the admin's query string (a list filter, a search, the
    autocomplete's term) would reach the database, which answers with an error (PostgreSQL refuses
    NUL): a 400 for the list, no result for a search, instead of a 500."""

    def changelist_view(self, request, extra_context=None):
        if text.unreadable_query_names(request.GET):
            return HttpResponseBadRequest("A value of the query holds a control character (such as NUL).")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        if not text.is_single_line_clean(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class VocabularyAdmin(RefusesControlCharactersInQueries, admin.ModelAdmin):
    """Actors, event types, countries, regions: who may change them is in their permissions (roles.py)."""


class ReadOnlyHistoryAdmin(RefusesControlCharactersInQueries, SimpleHistoryAdmin):
    """History pages are for reading, by everyone: the form of a past version is never saved.

    simple-history's history_form_view saves any valid POST (revert disabled only hides the button),
    which would let anyone un-retract an event or change a published one without review."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def may_edit(request: HttpRequest, event: Event | None) -> bool:
    """What readers see is changed only by a publisher: an editor's edits go through review."""
    return event is None or not event.is_public or services.can_publish(request.user)


class EventPartAdmin(ReadOnlyHistoryAdmin):
    """The standalone admin of a part of an event's record (a source, a reaction link): editable by
    an editor only while the event it belongs to is not public, before and after the change (moving a
    part onto or off a published event changes what readers see, either way)."""

    owner_field = "event"  # the event whose record this part belongs to

    def owner(self, obj: Any) -> Event | None:
        return getattr(obj, self.owner_field) if obj is not None else None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit(request, self.owner(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit(request, self.owner(obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        owner_field = self.owner_field

        class GuardedForm(form):
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                event = cleaned.get(owner_field)
                if event is not None and not may_edit(request, event):
                    self.add_error(
                        owner_field,
                        f"“{event.title}” is {event.get_status_display().lower()}: only a publisher changes "
                        "what readers see. Edit a draft, or ask a publisher.",
                    )
                return cleaned

        return GuardedForm

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        """The list's "delete selected" asks has_delete_permission without an object: check each here."""
        if (
            not services.can_publish(request.user)
            and queryset.filter(**{f"{self.owner_field}__status__in": PUBLIC_STATUSES}).exists()
        ):
            raise PermissionDenied("Some of these belong to a public event: only a publisher may delete them.")
        super().delete_queryset(request, queryset)


# --- the shared vocabulary: changed by publishers only (events/roles.py), shown on published pages ---


@admin.register(Country)
class CountryAdmin(VocabularyAdmin):
    list_display = ["name", "iso2"]
    search_fields = ["name", "iso2"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(VocabularyAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["countries"]
    prepopulated_fields = {"slug": ["name"]}


# Names Select2's comboboxes after their fields (an empty one has no name otherwise): every admin with
# an autocomplete loads it.
SELECT2_NAMES_JS = "admin/events/select2_names.js"


@admin.register(Actor)
class ActorAdmin(VocabularyAdmin):
    list_display = ["name", "slug", "kind", "country"]
    list_filter = ["kind", "country"]
    list_select_related = ["country"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]

    class Media:
        js = [SELECT2_NAMES_JS]


@admin.register(EventType)
class EventTypeAdmin(VocabularyAdmin):
    list_display = ["name", "slug", "category", "cameo_code", "default_escalation"]
    list_filter = ["category"]
    search_fields = ["name", "slug", "cameo_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(EventPartAdmin):
    """Sources are entered on their event; this list is for finding one (e.g. every source of a publisher)."""

    list_display = ["publisher", "title", "kind", "published_on", "event"]
    list_filter = ["kind"]
    list_select_related = ["event"]
    search_fields = ["publisher", "title", "url"]
    autocomplete_fields = ["event"]
    show_full_result_count = False

    def owner(self, obj: Source | None) -> Event | None:
        """A link's own source (no event) shows on the pages of the links it backs: it is theirs, and
        a public one's first, so that an editor cannot change what readers see through it."""
        if obj is None or obj.event_id:
            return super().owner(obj)
        links = obj.backed_links.select_related("event").order_by("-event__published_at")
        link = links.filter(event__status__in=PUBLIC_STATUSES).first() or links.first()
        return link.event if link else None

    class Media:
        js = [SELECT2_NAMES_JS]


# --- what an event may respond to: the `responds_to` autocomplete ----------------------------------


def respondable_label(event: Event) -> str:
    """How an event is offered as something to respond to: its date, its status and its title."""
    return f"{event.date_display} · {event.get_status_display()} · {event.title}"


class RespondableEventsView(AutocompleteJsonView):
    """The `responds_to` suggestions: date, status and title, leaving out what the reacting event
    cannot be linked to (itself, later events, and, for a public event, events readers cannot see).
    The reacting event comes as `event` (its id, on a change form) and `before` (the date the form
    holds now, sent by static/admin/events/responds_to.js); Reaction.clean() checks it all again."""

    def get_queryset(self) -> QuerySet[Event]:
        events = super().get_queryset()
        reacting = None
        if self.request.GET.get("event", "").isdigit():
            reacting = Event.objects.filter(pk=self.request.GET["event"]).only("pk", "date", "status").first()
        if reacting is not None:
            events = events.exclude(pk=reacting.pk)
            if reacting.is_public:
                events = events.filter(status__in=PUBLIC_STATUSES)
        try:
            before = datetime.date.fromisoformat(self.request.GET.get("before", "")[:10])
        except ValueError:
            before = reacting.date if reacting is not None else None
        return events.filter(date__lte=before) if before else events

    def serialize_result(self, obj: Event, to_field_name: str) -> dict[str, str]:
        return {"id": str(getattr(obj, to_field_name)), "text": respondable_label(obj)}


class RespondsToSelect(AutocompleteSelect):
    """The autocomplete widget pointed at RespondableEventsView, told which event is reacting."""

    def __init__(self, *args: Any, event_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event_id = event_id

    def get_url(self) -> str:
        url = reverse("admin:events_event_respondable")
        return f"{url}?event={self.event_id}" if self.event_id else url


def responds_to_field(db_field, request: HttpRequest, admin_site, **kwargs: Any) -> forms.Field:
    object_id = (request.resolver_match.kwargs.get("object_id") if request.resolver_match else None) or ""
    event_id = object_id if object_id.isdigit() and db_field.model is Reaction else None
    kwargs["widget"] = RespondsToSelect(db_field, admin_site, event_id=event_id)
    field = db_field.formfield(**kwargs)
    field.label_from_instance = respondable_label
    return field


@admin.register(Reaction)
class ReactionAdmin(EventPartAdmin):
    """A link belongs to the reacting event's record (its "responds to" list, reviewed with it). Readers
    see a link only when both its ends are public, so a link whose reacting event is a draft may point
    at a published event: it appears when a publisher publishes the draft."""

    list_display = ["event", "kind", "responds_to", "basis"]
    list_filter = ["kind"]
    list_select_related = ["event", "responds_to"]
    autocomplete_fields = ["event", "responds_to", "basis_source"]

    @admin.display(description="basis")
    def basis(self, obj: Reaction) -> str:
        return {"source": "a source", "judgement": "editors' judgement"}.get(obj.basis_kind, "none given")

    show_full_result_count = False

    class Media:
        js = [SELECT2_NAMES_JS]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "responds_to":
            return responds_to_field(db_field, request, self.admin_site, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


IMPORT_SESSION_KEY = "events_import_upload"


# --- the event -------------------------------------------------------------------------------------


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class SourceInline(ReviewGuardedInline, admin.StackedInline):
    model = Source
    extra = 1
    fields = [("url", "kind"), ("publisher", "published_on"), "title", "excerpt"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"  # a pasted "news.example/x" is an https URL
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ReactionForm(forms.ModelForm):
    """A link added to or changed on a public event must say its basis at once: it is public at once."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        event_id = self.instance.event_id
        has_basis = cleaned.get("basis_source") or (cleaned.get("basis_judgement") or "").strip()
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
    fields = [("responds_to", "kind"), "note", ("basis_source", "basis_judgement")]
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


class EstimatedCountPaginator(Paginator):
    """COUNT(*) of a million rows is a full scan on PostgreSQL: for the unfiltered list, use the
    planner's row estimate (pg_class.reltuples, kept fresh by autovacuum) once the table is large.
    Filtered lists are counted exactly (they use the status, type, country and date indexes)."""

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if isinstance(qs, QuerySet) and not qs.query.where and connections[qs.db].vendor == "postgresql":
            with connections[qs.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [qs.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] > self.ESTIMATE_ABOVE:
                return int(row[0])
        return super().count


class AdminEventQuerySet(EventQuerySet):
    """The change list's queryset: the date hierarchy's list of years or months is found by jumping
    along the date index (the first date on or after each found period, one indexed MIN per period
    that has events) instead of a DISTINCT over every row, and whatever the span of the record."""

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> Any:
        if field_name != "date" or kind not in ("year", "month"):
            return super().dates(field_name, kind, order)

        from django.db.models import Min

        def next_period(after: datetime.date) -> datetime.date | None:
            first = self.filter(date__gte=after).aggregate(first=Min("date"))["first"]
            if first is None:
                return None
            return datetime.date(first.year, 1, 1) if kind == "year" else datetime.date(first.year, first.month, 1)

        found: list[datetime.date] = []
        period = next_period(datetime.date.min)
        while period is not None:
            found.append(period)
            if period.year == datetime.date.max.year and (kind == "year" or period.month == 12):
                break
            if kind == "year":
                following = datetime.date(period.year + 1, 1, 1)
            else:
                following = datetime.date(period.year + period.month // 12, period.month % 12 + 1, 1)
            period = next_period(following)
        return found if order == "ASC" else found[::-1]


# The form's button of each move, by the move's name; a retraction has none that saves the form: its
# link opens a page that asks for the public note.
FORM_BUTTONS = {
    workflow.SEND_TO_REVIEW.name: "_submit_review",
    workflow.PUBLISH.name: "_publish",
    workflow.SEND_BACK_TO_DRAFT.name: "_send_back_to_draft",
}


@admin.register(Event)
class EventAdmin(ReadOnlyHistoryAdmin):
    form = EventAdminForm
    change_form_template = "admin/events/event/change_form.html"
    change_list_template = "admin/events/event/change_list.html"
    object_history_template = "admin/events/event/object_history.html"

    list_display = ["date_display", "title", "event_type", "escalation", "status", "initiator_names"]
    list_display_links = ["date_display", "title"]
    list_filter = [
        "status",
        "event_type",
        ("event_type__category", admin.ChoicesFieldListFilter),
        "location_country",
        ("date", admin.DateFieldListFilter),
    ]
    list_select_related = ["event_type"]
    list_per_page = 50
    search_fields = ["title", "=slug"]
    date_hierarchy = "date"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # No prepopulated slug: left empty, Event.save() makes a unique one from title and date (a second
    # event with the same title gets a suffix instead of an error).
    autocomplete_fields = ["event_type", "location_country"]
    readonly_fields = ["status", "published_at", "retraction_note", "preview_link"]
    inlines = [EventActorInline, SourceInline, ReactionInline]
    actions = list(workflow.TRANSITIONS)  # one method each, below, named after its move
    fieldsets = [
        (None, {"fields": ["title", "slug", ("date", "date_precision", "end_date"), "summary", "loaded_version"]}),
        (
            "Type and escalation",
            {"fields": ["event_type", ("escalation", "escalation_note"), ("verification", "verification_note")]},
        ),
        (
            "Place",
            {"fields": [("location_country", "location_name"), ("latitude", "longitude")], "classes": ["collapse"]},
        ),
        ("Status", {"fields": [("status", "published_at"), "retraction_note", "preview_link"]}),
    ]

    class Media:
        js = ["admin/events/escalation_default.js", "admin/events/responds_to.js", SELECT2_NAMES_JS]

    # --- lists ---

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        qs = super().get_queryset(request)
        qs = AdminEventQuerySet(model=qs.model, query=qs.query, using=qs._db)
        initiators = EventActor.objects.filter(role=EventActor.Role.INITIATOR).select_related("actor")
        return qs.prefetch_related(Prefetch("event_actors", queryset=initiators, to_attr="initiator_links"))

    @admin.display(description="date", ordering="date")
    def date_display(self, obj: Event) -> str:
        return obj.date_display

    @admin.display(description="initiators")
    def initiator_names(self, obj: Event) -> str:
        return ", ".join(link.actor.name for link in getattr(obj, "initiator_links", []))

    @admin.display(description="preview")
    def preview_link(self, obj: Event) -> str:
        if not obj.pk:
            return "—"
        url = reverse("admin:events_event_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">See it as readers would</a>', url)

    # --- permissions: editors enter and review, publishers publish ---

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return super().has_change_permission(request, obj) and may_edit(request, obj)

    # --- the form ---

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name="events_event_preview"
            ),
            path(
                "<path:object_id>/retract/", self.admin_site.admin_view(self.retract_view), name="events_event_retract"
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="events_event_import"),
            path(
                "respondable/",
                self.admin_site.admin_view(RespondableEventsView.as_view(admin_site=self.admin_site)),
                name="events_event_respondable",
            ),
            path("quality/", self.admin_site.admin_view(self.quality_view), name="events_event_quality"),
        ]
        return urls + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["workflow"] = self.workflow_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_buttons(self, request: HttpRequest, obj: Event | None) -> dict[str, bool]:
        """The moves the form offers, by name: where the workflow table allows them from the event's
        status (a new event is created a draft) to this user, on a form this user may save."""
        status = obj.status if obj else Event.Status.DRAFT
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        return {
            name: editable and transition.available(status=status, user=request.user)
            for name, transition in workflow.TRANSITIONS.items()
        }

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _after_save(self, request: HttpRequest, obj: Event) -> HttpResponse | None:
        """The form's workflow buttons: save first (inlines included), then move the status, so the
        publishing rules see the actors and sources entered in this same request."""
        pressed = [name for name, button in FORM_BUTTONS.items() if button in request.POST]
        if not pressed:
            return None
        done = workflow.TRANSITIONS[pressed[0]].done
        try:
            services.SERVICES[pressed[0]](event=obj, user=request.user)
        except PermissionDenied:
            raise  # a direct POST by an editor: the whole request (the edit too) is rolled back
        except ValidationError as exc:
            self.message_user(request, f"Saved, but not {done}: " + " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, f"“{obj.title}” saved and {done}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:events_event_change", args=[obj.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            # Only when another save landed between the form's check and ours (SQLite, which has no
            # row locks): the transaction was rolled back, so nothing was overwritten.
            self.message_user(request, conflict_message(conflict.event, conflict.expected_version), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- actions (each event through the services, so each is checked, versioned and in the history) ---

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """The list's workflow actions are offered to the users the table gives their permission."""
        actions = super().get_actions(request)
        for name, transition in workflow.TRANSITIONS.items():
            if not transition.permits(request.user):
                actions.pop(name, None)
        return actions

    def _each(self, request: HttpRequest, queryset: QuerySet[Event], name: str, **kwargs: Any) -> None:
        """Make the move `name` on each event, or say why the table refuses it for that one."""
        step, done = services.SERVICES[name], workflow.TRANSITIONS[name].done
        succeeded = 0
        for event in queryset:
            try:
                with transaction.atomic():
                    step(event=event, user=request.user, **kwargs)
            except ValidationError as exc:
                self.message_user(request, f"“{event.title}” not {done}: " + " ".join(exc.messages), messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} event(s) {done}.", messages.SUCCESS)

    @admin.action(description="Send selected events to review")
    def send_to_review(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        self._each(request, queryset, workflow.SEND_TO_REVIEW.name)

    @admin.action(description="Publish selected events")
    def publish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        self._each(request, queryset, workflow.PUBLISH.name)

    @admin.action(description="Send selected events back to draft")
    def send_back_to_draft(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        self._each(request, queryset, workflow.SEND_BACK_TO_DRAFT.name)

    @admin.action(description="Retract selected events…")
    def retract(self, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse | None:
        note = request.POST.get("retraction_note", "")
        if "confirm" in request.POST and note.strip():
            self._each(request, queryset, workflow.RETRACT.name, note=note)
            return None
        return self._retract_page(request, list(queryset), note=note, bulk=True)

    def retract_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        event = get_object_or_404(Event, pk=object_id)
        if not workflow.RETRACT.permits(request.user):
            raise PermissionDenied
        note = request.POST.get("retraction_note", "")
        if request.method == "POST" and note.strip():
            self._each(request, Event.objects.filter(pk=event.pk), workflow.RETRACT.name, note=note)
            return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
        return self._retract_page(request, [event], note=note, bulk=False)

    def _retract_page(self, request: HttpRequest, events: list[Event], *, note: str, bulk: bool) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Retract events",
            "events": events,
            "note": note,
            "missing_note": request.method == "POST" and ("confirm" in request.POST or not bulk) and not note.strip(),
            "note_required": workflow.RETRACTION_NEEDS_NOTE,
            "bulk": bulk,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/event/retract.html", context)

    # --- preview and import ---

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The event as readers would see it, whatever its status: staff only (admin_view)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event.objects.only("slug"), pk=object_id)
        # Read exactly as the public event page reads (selectors), with what staff may see.
        event = selectors.event_for_reader(slug=event.slug, user=request.user)
        upstream, downstream = selectors.reaction_chains(event, include_unpublished=True)
        context = {"event": event, "upstream": upstream, "downstream": downstream, "preview": True}
        response = TemplateResponse(request, "admin/events/event/preview.html", context)
        response["X-Robots-Tag"] = "noindex"
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        importing.purge_expired_uploads()
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import events from CSV",
            "columns": importing.COLUMNS,
            "limits": importing.ImportLimits.for_web(),
            "max_megabytes": importing.megabytes(importing.ImportLimits.for_web().max_bytes or 0),
        }
        if request.method != "POST":
            return TemplateResponse(request, "admin/events/event/import.html", context)
        # Whatever happens next, a file previewed earlier in this session is done with.
        previous = request.session.pop(IMPORT_SESSION_KEY, None)
        if "_import" not in request.POST and previous:
            importing.discard_upload(previous)
        if getattr(request, "upload_too_large", False):
            limit = importing.megabytes(settings.IMPORT_MAX_UPLOAD_BYTES)
            self.message_user(
                request,
                f"Not imported: the file is larger than {limit}, the most an upload takes. "
                "Import it on the server with: manage.py import_events FILE",
                messages.ERROR,
            )
        elif "_cancel" in request.POST:
            self.message_user(request, "Import cancelled; the uploaded file was deleted.", messages.INFO)
        elif request.FILES.get("csv_file"):
            # Step 1, the preview: keep the upload in a private temporary file (its name only in the
            # session), validate it all, and show what would happen. Nothing is written.
            token = importing.store_upload(request.FILES["csv_file"])
            try:
                with importing.stored_upload(token) as file:
                    report = importing.import_events(file=file, user=request.user, dry_run=True)
            except BaseException:
                importing.discard_upload(token)
                raise
            if report.ok and report.rows:
                request.session[IMPORT_SESSION_KEY] = token
            else:
                importing.discard_upload(token)
            context.update(report=report, dry_run=True)
        elif "_import" in request.POST:
            # Step 2, after the preview: import the same file, validated again, in one transaction.
            if not previous or not importing.upload_exists(previous):
                self.message_user(request, "Upload the file again: the previewed file has expired.", messages.ERROR)
                return HttpResponseRedirect(request.path)
            try:
                with importing.stored_upload(previous) as file:
                    report = importing.import_events(file=file, user=request.user)
            finally:
                importing.discard_upload(previous)
            if report.ok:
                self.message_user(request, report.summary, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:events_event_changelist") + "?status__exact=draft")
            context.update(report=report, dry_run=False)
        return TemplateResponse(request, "admin/events/event/import.html", context)

    # --- data quality: the problems of manage.py check_record, for editors ---

    QUALITY_SHOWN_PER_RULE = 100

    def quality_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        scope = request.GET.get("scope") if request.GET.get("scope") in ("published", "all") else "published"
        events = quality.events_to_check(all_statuses=scope == "all")
        reports = quality.rule_reports(events, limit=self.QUALITY_SHOWN_PER_RULE)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Data quality: what in the record needs an editor",
            "reports": reports,
            "errors": sum(report.errors for report in reports),
            "warnings": sum(report.warnings for report in reports),
            "truncated": any(report.more for report in reports),
            "scope": scope,
            "shown_per_rule": self.QUALITY_SHOWN_PER_RULE,
        }
        return TemplateResponse(request, "admin/events/event/quality.html", context)

    # --- history: the event's own, and its sources', actors' and reactions' ---

    def history_view(self, request, object_id, extra_context=None):
        event = get_object_or_404(Event, pk=object_id)
        extra_context = {**(extra_context or {}), "related_changes": history.related_history(event=event)}
        return super().history_view(request, object_id, extra_context)
