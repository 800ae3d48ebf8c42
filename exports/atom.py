"""The Atom feed of the latest public events, with the timeline's filters ("warnings about Lithuania").

Every text taken from the database passes through text.printable: XML 1.0 cannot carry a control
character, and a row written before the write paths refused them (or by SQL) must not break the feed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from events.filters import EventFilter, describe
from events.models import Event
from events.text import printable

FEED_ITEMS = 50


class EventFeed(Feed):
    """Called with the already validated filterset (exports.views.feed answers 400 for an invalid one)."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *, filterset: EventFilter) -> EventFilter:
        self.request = request
        return filterset

    def title(self, filterset: EventFilter) -> str:
        site = getattr(settings, "SITE_NAME", "Tension Timeline")
        # The same words as the summary above the timeline, so the feed reads as the view it follows.
        described = ", ".join(describe(filterset))
        return printable(f"{site}: {described}" if described else f"{site}: latest events")

    def author_name(self, filterset: EventFilter) -> str:
        # Atom wants an author for the feed as a whole; an entry's author is the event's initiators.
        return getattr(settings, "SITE_NAME", "Tension Timeline")

    def subtitle(self, filterset: EventFilter) -> str:
        return "The latest published events of the Tension Timeline that match this view, newest publication first."

    def link(self, filterset: EventFilter) -> str:
        # The same view on the timeline: the feed's query string, less the page number.
        query = self.request.GET.copy()
        query.pop("page", None)
        url = reverse("events:timeline")
        return f"{url}?{query.urlencode()}" if query else url

    def feed_url(self, filterset: EventFilter) -> str:
        return self.request.get_full_path()

    def items(self, filterset: EventFilter) -> QuerySet:
        # Newest *publication* first (not newest event date): a follower wants what was just added,
        # even when it records something older. The filter's own `sort` does not apply to a feed.
        return filterset.qs.for_display().order_by("-published_at", "-id")[:FEED_ITEMS]

    def item_title(self, item: Event) -> str:
        # Atom1Feed escapes the text itself; the Feed default would escape it a second time.
        title = f"{item.date_display}: {item.title}"
        return printable(f"[Retracted] {title}" if item.status == Event.Status.RETRACTED else title)

    def item_description(self, item: Event) -> str:
        # Atom1Feed marks the summary as HTML: escape the plain text, keep its paragraphs.
        text = item.summary
        if item.status == Event.Status.RETRACTED:
            text = f"Retracted: {item.retraction_note}\n\n{text}"
        return linebreaks(printable(text), autoescape=True)

    def item_pubdate(self, item: Event):
        return item.published_at

    def item_updateddate(self, item: Event):
        return item.updated_at

    def item_author_name(self, item: Event) -> str | None:
        return printable(", ".join(sorted(actor.name for actor in item.initiators))) or None

    def item_categories(self, item: Event) -> list[str]:
        return [item.event_type.get_category_display(), printable(item.event_type.name)]
