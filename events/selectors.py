"""Read paths: what readers see, assembled from the Event QuerySet and the one EventFilter."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from .filters import EventFilter
from .models import Event, EventQuerySet


def public_events(*, include_retracted: bool = True) -> EventQuerySet:
    return Event.objects.public(include_retracted=include_retracted)


def event_filter(*, params: Mapping | None) -> EventFilter:
    """The reader's filtered view: only public events, whatever the query says.

    `filterset.qs` is the result (empty when a filter is invalid); `filterset.errors` says why.
    The timeline, its table, the CSV export and the feed all start here.
    """
    return EventFilter(params or {}, queryset=public_events(include_retracted=True))


def event_for_reader(*, slug: str, user: User | AnonymousUser) -> Event:
    """One event as a reader may see it: drafts and events in review exist only for staff."""
    events = Event.objects.with_display_related().prefetch_related(
        "event_actors__actor", "sources", "reaction_links__responds_to", "reacted_by_links__event"
    )
    if not user.is_staff:
        events = events.public()
    try:
        return events.get(slug=slug)
    except Event.DoesNotExist:
        raise Http404("No such event.") from None
