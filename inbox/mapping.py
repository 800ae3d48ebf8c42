"""What we make of a dataset's row: our event type, our actors, the escalation (the type's default).

- A CAMEO event code (GDELT) is our type whose `cameo_code` is its longest prefix (154 for 1541); two
  types sharing that code make it ambiguous, and it stays unmapped.
- An ACLED event type and sub-event type are mapped by AcledTypeMapping (the sub-event type's entry
  first, then the event type's "any").
- A CAMEO actor code is an ActorCode of GDELT, matched whole, then by its first three letters (its
  country: RUSMIL is RUS); an ACLED actor name an ActorCode of ACLED, then an actor's name or alias.
Nothing is guessed: what is not mapped is counted (the ingest's summary lists it) and left empty.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from events.models import Actor, EventType
from inbox.datasets import Row
from inbox.models import AcledTypeMapping, ActorCode, Dataset

CAMEO_COUNTRY_LENGTH = 3
ALIAS_SEPARATORS = re.compile(r"[\n;,]")


@dataclass(frozen=True)
class Proposal:
    event_type: EventType | None
    initiator: Actor | None
    target: Actor | None
    escalation: Decimal | None
    group_key: str


class Mapper:
    """The mappings, read once for a file; `unmapped` counts what could not be mapped ("CAMEO 043")."""

    def __init__(self) -> None:
        self.unmapped: Counter[str] = Counter()
        self.types_by_cameo: dict[str, list[EventType]] = {}
        for event_type in EventType.objects.exclude(cameo_code=""):
            self.types_by_cameo.setdefault(event_type.cameo_code, []).append(event_type)
        self.acled_types = {
            (m.acled_event_type.lower(), m.acled_sub_event_type.lower()): m.event_type
            for m in AcledTypeMapping.objects.select_related("event_type")
        }
        self.codes: dict[tuple[str, str], Actor] = {
            (code.dataset, code.code.lower()): code.actor for code in ActorCode.objects.select_related("actor")
        }
        self.names: dict[str, Actor] = {}
        for actor in Actor.objects.all():
            for name in [actor.name, *ALIAS_SEPARATORS.split(actor.aliases)]:
                if name.strip():
                    self.names.setdefault(name.strip().lower(), actor)

    def propose(self, row: Row) -> Proposal:
        event_type = self.cameo_type(row.event_code) if row.dataset == Dataset.GDELT else self.acled_type(row)
        initiator = self.actor(row.dataset, row.actor1_code, row.actor1_name)
        target = self.actor(row.dataset, row.actor2_code, row.actor2_name)
        return Proposal(
            event_type=event_type,
            initiator=initiator,
            target=target,
            escalation=event_type.default_escalation if event_type else None,
            group_key=group_key(row, event_type, initiator, target),
        )

    def cameo_type(self, code: str) -> EventType | None:
        for length in range(len(code), 0, -1):
            found = self.types_by_cameo.get(code[:length])
            if found and len(found) == 1:
                return found[0]
            if found:
                self.unmapped[f"CAMEO {code} (ambiguous: {', '.join(t.slug for t in found)})"] += 1
                return None
        self.unmapped[f"CAMEO {code}"] += 1
        return None

    def acled_type(self, row: Row) -> EventType | None:
        event_type, sub_event_type = (value.lower() for value in row.acled_types)
        found = self.acled_types.get((event_type, sub_event_type)) or self.acled_types.get((event_type, ""))
        if found is None:
            self.unmapped[f"ACLED {row.event_code}"] += 1
        return found

    def actor(self, dataset: str, code: str, name: str) -> Actor | None:
        if dataset == Dataset.GDELT:
            if not code:
                return None
            found = self.codes.get((dataset, code.lower())) or self.codes.get(
                (dataset, code[:CAMEO_COUNTRY_LENGTH].lower())
            )
            if found is None:
                self.unmapped[f"actor {code} ({name})" if name else f"actor {code}"] += 1
            return found
        if not name:
            return None
        found = self.codes.get((dataset, name.lower())) or self.names.get(name.lower())
        if found is None:
            self.unmapped[f"actor {name}"] += 1
        return found


def cameo_root(row: Row, event_type: EventType | None) -> str:
    """The CAMEO root the row's action falls under: GDELT's own; for ACLED, its mapped type's."""
    if row.cameo_root:
        return row.cameo_root
    return event_type.cameo_code[:2] if event_type and event_type.cameo_code else f"acled:{row.event_code.lower()}"


def group_key(row: Row, event_type: EventType | None, initiator: Actor | None, target: Actor | None) -> str:
    """Same day, same actors (ours where mapped, else as the dataset names them), same CAMEO root."""
    first = f"a{initiator.pk}" if initiator else (row.actor1_code or row.actor1_name).lower()
    second = f"a{target.pk}" if target else (row.actor2_code or row.actor2_name).lower()
    actors = "+".join(sorted(filter(None, (first, second))))
    return f"{row.date.isoformat()}|{actors}|{cameo_root(row, event_type)}"[:200]
