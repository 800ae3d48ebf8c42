"""The record's query vocabulary: what a view of events or links may ask for, in the domain's words."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Trim

# Event and its links take these querysets as managers, so they are looked up when a query is built
# (from the package, which re-exports them all), not when this module is imported.
from events import models as record
from events.models.vocabulary import Actor, Country, EventType, Region


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        return self.filter(status=record.Event.Status.PUBLISHED)

    def public(self, *, include_retracted: bool = True) -> EventQuerySet:
        """What anonymous readers may see: published events and, unless asked not to, retractions."""
        statuses = [record.Event.Status.PUBLISHED]
        if include_retracted:
            statuses.append(record.Event.Status.RETRACTED)
        return self.filter(status__in=statuses)

    def between(self, start: datetime.date | None = None, end: datetime.date | None = None) -> EventQuerySet:
        """Events whose span [date, end_date] overlaps [start, end]; either bound may be open.

        An exercise from 1 to 20 September belongs to a view of 10–15 September: a reader who
        filters a window wants what was going on in it, not only what began in it.
        """
        qs = self
        if end is not None:
            qs = qs.filter(date__lte=end)
        if start is not None:
            qs = qs.filter(Q(date__gte=start) | Q(end_date__gte=start))
        return qs

    def in_country(self, country: Country | Iterable[Country]) -> EventQuerySet:
        if isinstance(country, Country):
            return self.filter(location_country=country)
        return self.filter(location_country__in=list(country))

    def in_region(self, region: Region) -> EventQuerySet:
        return self.filter(location_country__in=region.countries.all())

    def involving(self, actors: Iterable[Actor], role: str | None = None) -> EventQuerySet:
        """Events with any of these actors (in this role, if given); one row per event."""
        links = record.EventActor.objects.filter(event=OuterRef("pk"), actor__in=list(actors))
        if role:
            links = links.filter(role=role)
        return self.filter(Exists(links))

    def of_types(self, types: Iterable[EventType]) -> EventQuerySet:
        return self.filter(event_type__in=list(types))

    def in_category(self, category: str) -> EventQuerySet:
        return self.filter(event_type__category=category)

    def reactions(self, *, to_public_only: bool = False) -> EventQuerySet:
        """Events that respond to another; with to_public_only, to one a reader may see."""
        links = record.Reaction.objects.filter(event=OuterRef("pk"))
        if to_public_only:
            links = links.filter(responds_to__status__in=record.PUBLIC_STATUSES)
        return self.filter(Exists(links))

    def search(self, text: str) -> EventQuerySet:
        """Full-text search on PostgreSQL (GIN-indexed), a plain case-insensitive contains elsewhere."""
        text = text.strip()
        if not text:
            return self
        if connection.vendor == "postgresql":
            return self.filter(search_vector=SearchQuery(text, config="english", search_type="websearch"))
        return self.filter(Q(title__icontains=text) | Q(summary__icontains=text))

    def for_display(self) -> EventQuerySet:
        """With what every reader's view of an event shows: its type, country and actors (by role, name)."""
        return self.select_related("event_type", "location_country").prefetch_related(
            models.Prefetch("event_actors", queryset=record.EventActor.objects.select_related("actor"))
        )


class ReactionQuerySet(models.QuerySet):
    def to_public_events(self) -> ReactionQuerySet:
        """Links whose earlier event a reader may see. Asked per link (EXISTS on the primary key), not by a
        join: joined, SQLite's planner walked every public event and, for each, the list of events in view
        (20,000 events: 22 s for a view of 5,000 with no link at all)."""
        public = record.Event.objects.public().filter(pk=OuterRef("responds_to_id"))
        return self.filter(Exists(public))

    def without_basis(self) -> ReactionQuerySet:
        """Links that give neither a source nor a judgement (a judgement of blanks is none)."""
        return self.annotate(judgement_text=Trim("basis_judgement")).filter(
            basis_source__isnull=True, judgement_text=""
        )
