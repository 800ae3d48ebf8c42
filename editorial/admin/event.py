"""The event's admin: its list, its form with the parts inlined, its preview and its history; the
workflow, the review, the import and the quality page come from their own modules."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from editorial.admin.autocomplete import RespondableEventsView
from editorial.admin.base import SELECT2_NAMES_JS, ReadOnlyHistoryAdmin, may_edit
from editorial.admin.changelist import AdminEventQuerySet, EstimatedCountPaginator
from editorial.admin.csv_import import CsvImportAdmin
from editorial.admin.duplicate_check import DUPLICATE_CHECK_JS, DuplicateCheckAdmin
from editorial.admin.forms import EventAdminForm, conflict_message
from editorial.admin.inlines import EventActorInline, ReactionInline, SourceInline
from editorial.admin.places import PLACE_SUGGESTIONS_JS, PlaceSuggestionsAdmin
from editorial.admin.quality import QualityAdmin
from editorial.admin.review import ReviewAdmin
from editorial.admin.workflow import WorkflowAdmin
from events import history, selectors
from events.models import EditConflict, Event, EventActor, Reaction, Source

# How long a change reason the revision history keeps.
CHANGE_REASON_LENGTH = Event.history.model._meta.get_field("history_change_reason").max_length


# What only a saved event has: a status moved by the workflow, a publication date, a preview.
STATUS_FIELDSET = (
    "Status",
    {"fields": [("status", "published_at"), "retraction_note", "preview_link", "made_from"]},
)


class EventAdmin(
    PlaceSuggestionsAdmin,
    DuplicateCheckAdmin,
    ReviewAdmin,
    WorkflowAdmin,
    CsvImportAdmin,
    QualityAdmin,
    ReadOnlyHistoryAdmin,
):
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
    readonly_fields = ["status", "published_at", "retraction_note", "preview_link", "made_from"]
    inlines = [EventActorInline, SourceInline, ReactionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("date", "date_precision", "end_date"), "summary", "loaded_version"]}),
        (
            "Type and escalation",
            {"fields": ["event_type", ("escalation", "escalation_note"), ("verification", "verification_note")]},
        ),
        (
            "Place",
            {
                "fields": [("location_country", "location_name"), ("latitude", "longitude")],
                "description": "Type the place's name and pick it from the gazetteer (GeoNames' towns of 5,000 "
                "people or more): its coordinates are filled in. Nothing is filled for a name it does not know.",
            },
        ),
        STATUS_FIELDSET,
    ]

    class Media:
        js = [
            "admin/events/escalation_default.js",
            "admin/events/responds_to.js",
            "admin/events/first_error.js",
            "admin/events/reaction_lag.js",
            PLACE_SUGGESTIONS_JS,
            DUPLICATE_CHECK_JS,
            SELECT2_NAMES_JS,
        ]

    # --- lists ---

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        # ModelAdmin.get_queryset() with the list's own queryset class, started as the model's default
        # manager starts its own (Event.objects adds nothing to a plain EventQuerySet).
        qs = AdminEventQuerySet(model=self.model)
        if ordering := self.get_ordering(request):
            qs = qs.order_by(*ordering)
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

    def get_fieldsets(self, request: HttpRequest, obj: Event | None = None):
        """A new event has no status, publication or preview to show yet: the add form leaves them out."""
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else [fieldset for fieldset in fieldsets if fieldset != STATUS_FIELDSET]

    # --- permissions: editors enter and review, publishers publish ---

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return super().has_change_permission(request, obj) and may_edit(request, obj)

    # --- its pages ---

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name="events_event_preview"
            ),
            path("<path:object_id>/review/", self.admin_site.admin_view(self.review_view), name="events_event_review"),
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            # Only when another save landed between the form's check and ours (SQLite, which has no
            # row locks): the transaction was rolled back, so nothing was overwritten.
            self.message_user(request, conflict_message(conflict.event, conflict.expected_version), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

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

    # --- saving: a likely duplicate only with an editor's word that it is not one (EventAdminForm) ---

    def save_model(self, request: HttpRequest, obj: Event, form: EventAdminForm, change: bool) -> None:
        if form.cleaned_data.get("not_a_duplicate") and form.pending_duplicates:
            # The event's own history says so too, as far as its change reason holds; the whole reason is
            # kept with each pair marked (NotDuplicate, which has its own history).
            reason = f"Not a duplicate: {form.cleaned_data['not_duplicate_reason'].strip()}"
            obj._change_reason = Truncator(reason).chars(CHANGE_REASON_LENGTH)
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: EventAdminForm, formset, change: bool) -> None:
        """The source rows are saved before the reaction rows (the inlines' order): a link whose basis is
        a source entered on this page (ReactionForm) gets that source, saved, in the same transaction."""
        if formset.model is Source:
            form.entered_sources = formset.forms
        elif formset.model is Reaction:
            for row in formset.forms:
                number = getattr(row, "cleaned_data", {}).get("basis_entered_source")
                if number:
                    row.instance.basis_source = form.entered_sources[number - 1].instance
        super().save_formset(request, form, formset, change)

    def save_related(self, request: HttpRequest, form: EventAdminForm, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        form.save_not_duplicates()

    # --- history: the event's own, and its sources', actors' and reactions' ---

    def history_view(self, request, object_id, extra_context=None):
        event = get_object_or_404(Event, pk=object_id)
        extra_context = {**(extra_context or {}), "related_changes": history.related_history(event=event)}
        return super().history_view(request, object_id, extra_context)
