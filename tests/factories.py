"""Plain helpers that build valid records; each takes overrides for the field under test."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from events.models import Actor, Country, Event, EventActor, EventType, Reaction, Source

_seq = itertools.count(1)


def country(iso2: str = "LT", name: str | None = None) -> Country:
    names = {"LT": "Lithuania", "LV": "Latvia", "EE": "Estonia", "PL": "Poland", "RU": "Russia", "BY": "Belarus"}
    name = name or names.get(iso2, iso2)
    obj, _ = Country.objects.get_or_create(iso2=iso2, defaults={"name": name, "slug": name.lower()})
    return obj


def actor(name: str = "NATO", **kw: Any) -> Actor:
    slug = kw.pop("slug", None) or name.lower().replace(" ", "-")
    obj, _ = Actor.objects.get_or_create(slug=slug, defaults={"name": name, **kw})
    return obj


def event_type(slug: str = "force-deployment") -> EventType:
    return EventType.objects.get(slug=slug)


def event(**kw: Any) -> Event:
    n = next(_seq)
    values: dict[str, Any] = {
        "title": f"Event {n}",
        "slug": f"event-{n}",
        "date": datetime.date(2024, 3, 8),
        "summary": "Something happened.",
        "event_type": event_type(kw.pop("type", "force-deployment")),
        "status": Event.Status.DRAFT,
    }
    values.update(kw)
    return Event.objects.create(**values)


def published_event(*, initiator: str = "NATO", target: str | None = None, **kw: Any) -> Event:
    """A published event with an initiator and a source, as the publishing rules demand."""
    obj = event(status=Event.Status.PUBLISHED, **kw)
    EventActor.objects.create(event=obj, actor=actor(initiator), role=EventActor.Role.INITIATOR)
    if target:
        EventActor.objects.create(event=obj, actor=actor(target), role=EventActor.Role.TARGET)
    Source.objects.create(
        event=obj,
        url=f"https://news.example/{obj.slug}",
        publisher="Example News",
        title=obj.title,
        kind=Source.Kind.NEWS,
    )
    return obj


def reaction(event: Event, responds_to: Event, kind: str = Reaction.Kind.RESPONSE) -> Reaction:
    return Reaction.objects.create(event=event, responds_to=responds_to, kind=kind)
