"""Plain helpers that build valid records; each takes overrides for the field under test."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from events.models import Actor, Country, Event, EventActor, EventType, Reaction, Source

_seq = itertools.count(1)
# The fixtures made by once_per_module, by name (tests/conftest.py orders the tests on them), and the
# transactions of those built and not yet rolled back.
MODULE_RECORDS: set[str] = set()
OPEN_RECORDS: dict[str, ExitStack] = {}


def once_per_module(build: Callable[[], Any]) -> Any:
    """`build` as a module-scoped fixture of the same name: the record it writes is built once, in a
    transaction rolled back after the module's last test on it, and each test's own transaction nests in
    that one, so what a test changes is undone before the next. The module's tests on it run together,
    after its other tests (tests/conftest.py), which never see it. Not for transactional tests (the live
    server's): they need what they read committed."""
    name = build.__name__

    @pytest.fixture(scope="module", name=name)
    def fixture(django_db_setup, django_db_blocker) -> Iterator[Any]:
        with ExitStack() as stack:
            stack.enter_context(django_db_blocker.unblock())
            stack.enter_context(transaction.atomic())
            stack.callback(transaction.set_rollback, True)
            value = build()
            # Until the rollback the database is blocked as usual: `db` opens it to a test.
            stack.enter_context(django_db_blocker.block())
            OPEN_RECORDS[name] = stack.pop_all()
        yield value
        roll_back_module_record(name)

    fixture.__doc__ = build.__doc__
    MODULE_RECORDS.add(name)
    return fixture


def roll_back_module_record(name: str) -> None:
    """Undo a record of once_per_module if it is still there: after its module's last test on it, or at
    the module's end."""
    if name in OPEN_RECORDS:
        OPEN_RECORDS.pop(name).close()


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


def reaction(event: Event, responds_to: Event, kind: str = Reaction.Kind.RESPONSE, **basis: Any) -> Reaction:
    """A link with a basis (by default the editors' judgement), as publishing demands; basis_judgement=""
    for one without."""
    basis.setdefault("basis_judgement", "" if basis.get("basis_source") else "The editors read it as a response.")
    return Reaction.objects.create(event=event, responds_to=responds_to, kind=kind, **basis)


def staff_user(username: str, role: str | None = None, password: str = "pw") -> Any:
    """A staff login in the Editor or Publisher group (see events/roles.py; groups made by ensure_roles)."""
    from django.contrib.auth.models import Group, User

    from events.roles import ensure_roles

    if role and not Group.objects.filter(name=role).exists():
        ensure_roles()
    user = User.objects.create_user(username, password=password, is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def admin_event_form(event: Event | None = None, **overrides: Any) -> dict[str, Any]:
    """The POST data of the admin's event form (with its three inlines), as a browser would send it."""
    data: dict[str, Any] = {
        "title": "Russia warns against foreign forces",
        "slug": "",
        "date": "2024-03-08",
        "date_precision": "day",
        "end_date": "",
        "summary": "A warning.",
        "event_type": str(event_type("force-deployment").pk),
        "escalation": "",
        "escalation_note": "",
        "verification": "claimed",
        "verification_note": "",
        "location_country": "",
        "location_name": "",
        "latitude": "",
        "longitude": "",
        "loaded_version": "",
    }
    if event is not None:
        data.update(
            title=event.title,
            slug=event.slug,
            date=event.date.isoformat(),
            date_precision=event.date_precision,
            summary=event.summary,
            event_type=str(event.event_type_id),
            escalation=str(event.escalation),
            escalation_note=event.escalation_note,
            verification=event.verification,
            verification_note=event.verification_note,
            loaded_version=str(event.version),
        )
    for prefix, rows in (
        ("event_actors", list(event.event_actors.all()) if event else []),
        ("sources", list(event.sources.all()) if event else []),
        ("reaction_links", list(event.reaction_links.all()) if event else []),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = str(row.pk)
            data[f"{prefix}-{i}-event"] = str(event.pk)
            if prefix == "event_actors":
                data.update({f"{prefix}-{i}-actor": str(row.actor_id), f"{prefix}-{i}-role": row.role})
            elif prefix == "sources":
                data.update(
                    {
                        f"{prefix}-{i}-url": row.url,
                        f"{prefix}-{i}-kind": row.kind,
                        f"{prefix}-{i}-publisher": row.publisher,
                        f"{prefix}-{i}-published_on": "",
                        f"{prefix}-{i}-title": row.title,
                        f"{prefix}-{i}-excerpt": row.excerpt,
                    }
                )
            else:
                data.update(
                    {
                        f"{prefix}-{i}-responds_to": str(row.responds_to_id),
                        f"{prefix}-{i}-kind": row.kind,
                        f"{prefix}-{i}-note": row.note,
                        f"{prefix}-{i}-basis_source": str(row.basis_source_id or ""),
                        f"{prefix}-{i}-basis_judgement": row.basis_judgement,
                    }
                )
    data.update(overrides)
    return data


def add_inline(data: dict[str, Any], prefix: str, **fields: Any) -> dict[str, Any]:
    """Append one new inline row (e.g. a source) to admin_event_form data."""
    i = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(i + 1)
    for name, value in fields.items():
        data[f"{prefix}-{i}-{name}"] = str(value)
    return data


BALTIC = ["BY", "DE", "DK", "EE", "FI", "LT", "LV", "PL", "RU", "SE"]
INBOX_FIXTURES = Path(__file__).parent / "fixtures" / "inbox"


def baltic_vocabulary() -> None:
    """The Baltic region with its countries, the demo record's state actors, and the inbox's default
    mappings (inbox/defaults.py): what ingesting the inbox's test files needs."""
    from events.models import Region
    from inbox.defaults import CAMEO_ACTORS, load_defaults

    names = {"DE": "Germany", "DK": "Denmark", "FI": "Finland", "SE": "Sweden"}
    countries = [country(iso2, names.get(iso2)) for iso2 in BALTIC]
    Region.objects.create(name="Baltic Sea region", slug="baltic").countries.set(countries)
    for slug in CAMEO_ACTORS.values():
        actor(slug.capitalize() if slug != "usa" else "United States", slug=slug)
    load_defaults()
