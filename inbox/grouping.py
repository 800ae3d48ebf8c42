"""Candidates that report one event, grouped, and the event of the record each group may already be.

Two new candidates are reports of one event when they have the same day, the same actors and the same
CAMEO root (their group_key, inbox.mapping), or the same source URL; a group is every candidate linked to
another by either, as far as the links go. Each group is compared with the record by the editors'
likely-duplicate rule (events.duplicates), as an event entered with the group's title, date, type and
actors would be.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from events.duplicates import Entry, LikelyDuplicate, likely_duplicates_in_record
from events.models import Actor, Country, EventActor, EventType
from inbox.models import Candidate

# The likely existing events shown beside a group, at most.
MOST_LIKELY = 3


def most_common(values: Iterable):
    """The value most candidates of a group give (the first given, on a tie); None if none gives one."""
    counts = Counter(value for value in values if value is not None)
    return counts.most_common(1)[0][0] if counts else None


@dataclass
class Group:
    candidates: list[Candidate]
    likely: list[LikelyDuplicate] = field(default_factory=list)

    @property
    def ids(self) -> str:
        """The candidates' ids, as the inbox's forms send them."""
        return ",".join(str(c.pk) for c in self.candidates)

    @property
    def date(self) -> datetime.date:
        return min(c.date for c in self.candidates)

    @property
    def event_type(self) -> EventType | None:
        return most_common(c.proposed_type for c in self.candidates)

    @property
    def initiator(self) -> Actor | None:
        return most_common(c.initiator for c in self.candidates)

    @property
    def target(self) -> Actor | None:
        return most_common(c.target for c in self.candidates)

    @property
    def country(self) -> Country | None:
        return most_common(c.country for c in self.candidates)

    @property
    def escalation(self) -> Decimal | None:
        return self.event_type.default_escalation if self.event_type else None

    @property
    def urls(self) -> list[str]:
        return list(dict.fromkeys(c.source_url for c in self.candidates if c.source_url))

    @property
    def datasets(self) -> str:
        return ", ".join(sorted({c.get_dataset_display() for c in self.candidates}))

    @property
    def title(self) -> str:
        """A working title, for the editor to rewrite: who, what, at whom."""
        first = self.candidates[0]
        who = self.initiator.name if self.initiator else (first.actor1_name or "Unknown actor")
        what = self.event_type.name if self.event_type else first.event_code
        whom = self.target.name if self.target else first.actor2_name
        return (f"{who}: {what}" + (f" ({whom})" if whom else ""))[:200]

    def actors(self) -> frozenset[tuple[int, str]]:
        """The group's actors as the duplicate rule compares them."""
        pairs = [(self.initiator, EventActor.Role.INITIATOR), (self.target, EventActor.Role.TARGET)]
        return frozenset((actor.pk, str(role)) for actor, role in pairs if actor is not None)


def grouped(candidates: Iterable[Candidate]) -> list[Group]:
    """The candidates in groups (same key, or same source URL), the latest first."""
    candidates = list(candidates)
    parent = list(range(len(candidates)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    first_of: dict[tuple[str, str], int] = {}
    for n, candidate in enumerate(candidates):
        for link in (("key", candidate.group_key), ("url", candidate.source_url)):
            if not link[1]:
                continue
            if link in first_of:
                parent[root(n)] = root(first_of[link])
            else:
                first_of[link] = n
    members: dict[int, list[Candidate]] = {}
    for n, candidate in enumerate(candidates):
        members.setdefault(root(n), []).append(candidate)
    groups = [Group(sorted(group, key=lambda c: (c.dataset, c.dataset_id))) for group in members.values()]
    return sorted(groups, key=lambda g: (g.date, g.candidates[0].pk), reverse=True)


def with_likely_events(groups: Sequence[Group]) -> Sequence[Group]:
    """Each group with the events of the record it may already be (a few queries, whatever the number)."""
    entries = [
        Entry(slug="", title=g.title, date=g.date, event_type_id=g.event_type and g.event_type.pk, actors=g.actors())
        for g in groups
    ]
    for group, likely in zip(groups, likely_duplicates_in_record(entries=entries, most=MOST_LIKELY), strict=True):
        group.likely = likely
    return groups
