"""What every admin of the record shares: a guard on the query string, history pages for reading only,
and the rule that an editor changes a public event's parts only through a publisher."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBadRequest
from simple_history.admin import SimpleHistoryAdmin

from events import services, text
from events.models import PUBLIC_STATUSES, Event

# Names Select2's comboboxes after their fields (an empty one has no name otherwise): every admin with
# an autocomplete loads it.
SELECT2_NAMES_JS = "admin/events/select2_names.js"


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
