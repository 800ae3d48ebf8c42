"""The curated demo record of the Baltic theatre (baltic.json), and its idempotent loader.

Loading twice changes nothing: every row is matched on a stable key (slug, ISO code, the pair of a
reaction, the URL or title of a source) and written only when a value differs. An event of the file
gets exactly the actors, sources and reaction links the file gives it: a corrected file removes a link
or a source it no longer holds. Each link may say its basis: "basis_source" (the URL of a source of
either event, or an object: a source of the link's own) or "basis_judgement" (the editors' reason).
An event may say which likely duplicates (events.duplicates) it is not: "not_duplicate_of", each the
other event's slug and the editors' reason. An event is published unless it says "status": "retracted",
with the public "retraction_note" saying why (the record keeps it, marked; lists and the index leave it out).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from events.models import Actor, Country, Event, EventActor, EventType, NotDuplicate, Reaction, Region, Source

DEMO_FILE = Path(__file__).with_name("baltic.json")

COUNTRIES = [
    ("BY", "Belarus"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("GB", "United Kingdom"),
    ("LT", "Lithuania"),
    ("LV", "Latvia"),
    ("PL", "Poland"),
    ("RU", "Russia"),
    ("SE", "Sweden"),
    ("UA", "Ukraine"),
    ("US", "United States"),
]

REGIONS = [
    {
        "slug": "baltic",
        "name": "Baltic Sea region",
        "countries": ["BY", "DE", "DK", "EE", "FI", "LT", "LV", "PL", "RU", "SE"],
        "description": "The Baltic states, their neighbours on the Baltic Sea, Russia (with Kaliningrad) and Belarus.",
    },
    {
        "slug": "baltic-states",
        "name": "Baltic states",
        "countries": ["EE", "LT", "LV"],
        "description": "Estonia, Latvia and Lithuania.",
    },
]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def remove(self, what: str) -> None:
        self.removed[what] = self.removed.get(what, 0) + 1

    def count(self, what: str, created: bool, changed: bool) -> None:
        if created:
            self.created[what] = self.created.get(what, 0) + 1
        elif changed:
            self.updated[what] = self.updated.get(what, 0) + 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def __str__(self) -> str:
        if not self.changed_anything:
            return "Demo record already up to date: nothing changed."
        parts = [f"{n} {what} created" for what, n in sorted(self.created.items())]
        parts += [f"{n} {what} updated" for what, n in sorted(self.updated.items())]
        parts += [f"{n} {what} removed (no longer in the file)" for what, n in sorted(self.removed.items())]
        return "Demo record loaded: " + ", ".join(parts) + "."


def _sync(model, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool, bool]:
    """get-or-create on lookup, then write only the values that differ (so updated_at stays put)."""
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup, **values)
        changed = list(values)
    else:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
    if changed:
        try:
            obj.full_clean(validate_constraints=False)
        except ValidationError as exc:
            key = ", ".join(f"{k}={getattr(v, 'slug', v)}" for k, v in lookup.items())
            problems = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
            raise ValueError(f"{model.__name__} {key} is invalid: {problems}") from None
        obj.save()
    return obj, created, bool(changed) and not created


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _decimal(value: Any, places: str) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def _sync_set(links: Any, fields: tuple[str, str], wanted: set[tuple[Any, Any]]) -> bool:
    """Make a set of rows (an event's actor links) exactly `wanted`; True if anything changed."""
    have = {tuple(row[1:]): row[0] for row in links.values_list("pk", *fields)}
    for key in wanted - set(have):
        links.create(**dict(zip(fields, key, strict=True)))
    for key in set(have) - wanted:
        links.filter(pk=have[key]).delete()
    return wanted != set(have)


def _sync_source(source: dict[str, Any], *, event: Event | None) -> tuple[Source, bool, bool]:
    """An event's source, or (event None) a reaction link's own; matched on its URL, else its title."""
    key = "url" if source.get("url") else "title"
    values = {
        "url": source.get("url", ""),
        "publisher": source.get("publisher", ""),
        "title": source.get("title", ""),
        "published_on": _date(source.get("published_on")),
        "kind": source.get("kind", "news"),
        "excerpt": source.get("excerpt", ""),
    }
    lookup = {"event": event, key: values.pop(key)}
    return _sync(Source, lookup, values)


def _basis(link: dict[str, Any], *, event: Event, answered: Event, report: LoadReport) -> tuple[Source | None, str]:
    """A link's basis: a source of either event named by its URL, a source of its own (an object), or
    the editor's judgement. A link with neither is loaded as it is; check_record reports it."""
    where = f"the link from {event.slug} to {answered.slug}"
    source, judgement = link.get("basis_source"), (link.get("basis_judgement") or "").strip()
    if source and judgement:
        raise ValueError(f"{where} gives both a basis_source and a basis_judgement: give one")
    if isinstance(source, dict):
        obj, created, changed = _sync_source(source, event=None)
        report.count("sources", created, changed)
        return obj, ""
    if source:
        match = Source.objects.filter(event__in=[event, answered], url=source).order_by("event_id", "pk").first()
        if match is None:
            raise ValueError(f"{where}: its basis_source {source!r} is not a source of either event")
        return match, ""
    return None, judgement


def _named(events: dict[str, Event], slug: str, what: str) -> Event:
    """The event of the file with this slug, which `what` names ("… responds to")."""
    if slug not in events:
        raise ValueError(f"{what} {slug!r}, which is not in the file")
    return events[slug]


@transaction.atomic
def load_demo_record(path: Path = DEMO_FILE) -> LoadReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()

    countries: dict[str, Country] = {}
    for iso2, name in COUNTRIES:
        obj, created, changed = _sync(Country, {"iso2": iso2}, {"name": name, "slug": name.lower().replace(" ", "-")})
        countries[iso2] = obj
        report.count("countries", created, changed)

    for spec in REGIONS:
        region, created, changed = _sync(
            Region, {"slug": spec["slug"]}, {"name": spec["name"], "description": spec["description"]}
        )
        wanted = {countries[c].pk for c in spec["countries"]}
        have = set(region.countries.values_list("pk", flat=True))
        if wanted != have:
            region.countries.set(wanted)
            changed = True
        report.count("regions", created, changed)

    actors: dict[str, Actor] = {}
    for spec in data["actors"]:
        obj, created, changed = _sync(
            Actor,
            {"slug": spec["slug"]},
            {
                "name": spec["name"],
                "kind": spec["kind"],
                "country": countries[spec["country"]] if spec.get("country") else None,
                "aliases": spec.get("aliases", ""),
            },
        )
        actors[spec["slug"]] = obj
        report.count("actors", created, changed)

    types = {t.slug: t for t in EventType.objects.all()}
    # Demo events carry a fixed publication stamp, so that a second load has nothing to change.
    published_at = datetime.datetime(2024, 11, 1, tzinfo=datetime.UTC)
    events: dict[str, Event] = {}
    to_publish: list[tuple[str, str]] = []
    sources_kept: dict[int, set[int]] = {}
    for spec in sorted(data["events"], key=lambda e: (e["date"], e["slug"])):
        event_type = types[spec["type"]]
        escalation = _decimal(spec.get("escalation"), "0.1")
        status = spec.get("status", Event.Status.PUBLISHED)
        if status not in (Event.Status.PUBLISHED, Event.Status.RETRACTED):
            raise ValueError(f"{spec['slug']}: its status {status!r} is neither published nor retracted")
        values = {
            "title": spec["title"],
            "date": _date(spec["date"]),
            "date_precision": spec.get("date_precision", "day"),
            "end_date": _date(spec.get("end_date")),
            "summary": spec["summary"],
            "event_type": event_type,
            "escalation": event_type.default_escalation if escalation is None else escalation,
            "escalation_note": spec.get("escalation_note", ""),
            "verification": spec.get("verification", "claimed"),
            "verification_note": spec.get("verification_note", ""),
            "location_country": countries[spec["country"]] if spec.get("country") else None,
            "location_name": spec.get("location_name", ""),
            "latitude": _decimal(spec.get("latitude"), "0.00001"),
            "longitude": _decimal(spec.get("longitude"), "0.00001"),
            "status": status,
            "retraction_note": spec.get("retraction_note", ""),
            "published_at": published_at,
        }
        if not Event.objects.filter(slug=spec["slug"]).exists():
            # A new event is entered as a draft and published (or retracted) once its actors, sources and
            # links are in, as an editor would: its history then says it was published whole, not changed after.
            values.update(status=Event.Status.DRAFT, published_at=None)
            to_publish.append((spec["slug"], status))
        event, created, changed = _sync(Event, {"slug": spec["slug"]}, values)
        events[spec["slug"]] = event

        wanted_actors = {
            (actors[actor_slug].pk, role)
            for role, key in ((EventActor.Role.INITIATOR, "initiators"), (EventActor.Role.TARGET, "targets"))
            for actor_slug in spec.get(key, [])
        }
        changed = _sync_set(event.event_actors, ("actor_id", "role"), wanted_actors) or changed

        kept: set[int] = set()
        for source in spec["sources"]:
            obj, source_created, source_changed = _sync_source(source, event=event)
            kept.add(obj.pk)
            report.count("sources", source_created, source_changed)
        sources_kept[event.pk] = kept

        report.count("events", created, changed)

    # Links last: a reaction may point to an event of the same day that sorts after it.
    for spec in data["events"]:
        event = events[spec["slug"]]
        wanted_links = set()
        for link in spec.get("responds_to", []):
            answered = _named(events, link["event"], f"{spec['slug']} responds to")
            wanted_links.add(answered.pk)
            basis_source, basis_judgement = _basis(link, event=event, answered=answered, report=report)
            _, link_created, link_changed = _sync(
                Reaction,
                {"event": event, "responds_to": answered},
                {
                    "kind": link.get("kind", "response"),
                    "note": link.get("note", ""),
                    "basis_source": basis_source,
                    "basis_judgement": basis_judgement,
                },
            )
            report.count("reactions", link_created, link_changed)
        for stale in Reaction.objects.filter(event=event).exclude(responds_to__in=wanted_links):
            stale.delete()
            report.remove("reactions")

        marked = {
            _named(events, mark["event"], f"{spec['slug']} is not a duplicate of"): mark["reason"]
            for mark in spec.get("not_duplicate_of", [])
        }
        for other, reason in marked.items():
            _, mark_created, mark_changed = _sync(NotDuplicate, {"event": event, "other": other}, {"reason": reason})
            report.count("not-duplicate marks", mark_created, mark_changed)
        for stale in NotDuplicate.objects.filter(event=event).exclude(other__in=marked):
            stale.delete()
            report.remove("not-duplicate marks")

    for slug, status in to_publish:
        event = events[slug]
        event.status, event.published_at = status, published_at
        event.save(update_fields=["status", "published_at", "updated_at"])

    # Sources dropped from the file go once no link rests on them any more.
    for event_pk, kept in sources_kept.items():
        for stale in Source.objects.filter(event_id=event_pk).exclude(pk__in=kept):
            stale.delete()
            report.remove("sources")
    return report
