"""The list columns: actors, reactions and sources, kept as rows linked to the event.

Per batch of rows, a LinkColumn loads what the database holds for the batch's events (stored), says
whether a row changes it (differs), and which linked rows to remove and to add to make it the file's.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any, ClassVar, NamedTuple
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from editorial.importing.columns.base import ImportColumn, field_at, run_validators, unknown
from editorial.importing.columns.fields import SlugColumn
from events.models import WEB_URL_SCHEMES, EventActor, Reaction, Source
from events.record import MULTI_VALUE_SEPARATOR


class Link(NamedTuple):
    """One event's values of a list column: the file's, and what the database holds."""

    event_id: int
    value: Any
    stored: frozenset


class LinkColumn(ImportColumn):
    """A list column (the record's `many`): values joined by MULTI_VALUE_SEPARATOR, kept as rows
    linked to the event. `stored` loads what the database holds, a batch of events at a time."""

    stored_value: ClassVar[str] = ""  # the linked rows' field compared with the cell's values

    @property
    def where(self) -> Q:
        return self.record.many.where

    def split(self, value: str) -> list[str]:
        parts = super().clean(value, {}).split(MULTI_VALUE_SEPARATOR.strip())
        return [part.strip() for part in parts if part.strip()]

    def stored(self, event_ids: Collection[int]) -> dict[int, frozenset]:
        many = self.record.many
        held: dict[int, set] = {pk: set() for pk in event_ids}
        rows = many.model.objects.filter(self.where, **{f"{many.event_field}__in": event_ids})
        for event_id, value in rows.values_list(many.event_field, self.stored_value or many.value):
            held[event_id].add(value)
        return {pk: frozenset(values) for pk, values in held.items()}

    def differs(self, value: Any, stored: frozenset) -> bool:
        return frozenset(value) != stored

    def links_to_remove(self, links: list[Link]) -> list[QuerySet]:
        return []

    def links_to_add(self, links: list[Link], *, now: datetime.datetime) -> list[Model]:
        return []


class ActorsColumn(LinkColumn):
    """Actors by slug, in one role: set to exactly the file's."""

    role: ClassVar[str]
    stored_value = "actor_id"

    def __init__(self) -> None:
        super().__init__()
        self.key_field = field_at(self.record.many.model, self.record.many.value)
        self.ids = dict(self.key_field.model.objects.values_list(self.key_field.attname, "pk"))

    def clean(self, value: str, previous_values: dict[str, Any]) -> frozenset[int]:
        slugs = self.split(value)
        missing = [slug for slug in slugs if slug not in self.ids]
        if missing:
            raise unknown(self.key_field, missing)
        return frozenset(self.ids[slug] for slug in slugs)

    def links_to_remove(self, links: list[Link]) -> list[QuerySet]:
        return [
            EventActor.objects.filter(event_id=link.event_id, role=self.role, actor_id__in=link.stored - link.value)
            for link in links
            if link.stored - link.value
        ]

    def links_to_add(self, links: list[Link], *, now: datetime.datetime) -> list[Model]:
        return [
            EventActor(event_id=link.event_id, actor_id=actor_id, role=self.role)
            for link in links
            for actor_id in sorted(link.value - link.stored)
        ]


class InitiatorsColumn(ActorsColumn):
    identifier = "initiators"
    role = EventActor.Role.INITIATOR


class TargetsColumn(ActorsColumn):
    identifier = "targets"
    role = EventActor.Role.TARGET
    depends_on = (InitiatorsColumn.identifier,)

    def clean(self, value: str, previous_values: dict[str, Any]) -> frozenset[int]:
        targets = super().clean(value, previous_values)
        if targets & previous_values.get(InitiatorsColumn.identifier, frozenset()):
            raise ValidationError("An actor cannot be initiator and target of one event.")
        return targets


class RespondsToColumn(LinkColumn):
    """Slugs of events in the file or the database. That each exists and is no later than the row is
    checked once the whole file is read (plan.check_references); the reactions are written once every
    event of the file exists (write.write_reactions), set to exactly the file's."""

    identifier = "responds_to"
    depends_on = (SlugColumn.identifier,)
    # Every reaction counts, not only those the export shows (to public events): the file's replace them.
    where = Q()

    def clean(self, value: str, previous_values: dict[str, Any]) -> frozenset[str]:
        slugs = frozenset(self.split(value))
        if previous_values.get(SlugColumn.identifier) in slugs:
            raise ValidationError("An event cannot respond to itself.")
        return slugs

    def links_to_remove(self, links: list[Link]) -> list[QuerySet]:
        emptied = [link.event_id for link in links if link.stored and not link.value]
        return [Reaction.objects.filter(event_id__in=emptied)] if emptied else []


class SourceUrlsColumn(LinkColumn):
    """Web addresses, checked by the Source model's URL field. Sources are only ever added (a source is
    evidence: removing one is an editor's deliberate act in the admin); a new source's publisher is the
    URL's host and its kind the default (news), to be checked in review."""

    identifier = "source_urls"

    def __init__(self) -> None:
        super().__init__()
        self.url_field = field_at(self.record.many.model, self.record.many.value)
        self.publisher_length = Source._meta.get_field("publisher").max_length

    def clean(self, value: str, previous_values: dict[str, Any]) -> tuple[str, ...]:
        urls = self.split(value)
        for url in urls:
            if len(url) > self.url_field.max_length:
                raise ValidationError(f"Too long (over {self.url_field.max_length} characters): “{url[:60]}…”.")
            try:
                run_validators(url, self.url_field.validators)
            except ValidationError:
                schemes = " or ".join(f"{scheme}://" for scheme in WEB_URL_SCHEMES)
                raise ValidationError(f"Not a web address ({schemes}): “{url[:200]}”.") from None
        return tuple(dict.fromkeys(urls))

    def differs(self, value: tuple[str, ...], stored: frozenset) -> bool:
        return not set(value) <= stored

    def links_to_add(self, links: list[Link], *, now: datetime.datetime) -> list[Model]:
        return [
            Source(event_id=link.event_id, url=url, publisher=self.publisher(url), created_at=now, updated_at=now)
            for link in links
            for url in link.value
            if url not in link.stored
        ]

    def publisher(self, url: str) -> str:
        host = urlsplit(url).hostname or url
        return host.removeprefix("www.")[: self.publisher_length]
