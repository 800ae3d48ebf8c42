"""Likely duplicates: the same event entered twice, caught before it is published (and counted) twice.

The rule. A likely duplicate of an event is another event, not retracted, dated at most DATE_WINDOW_DAYS
days before or after it, that has
- a similar title: the two titles' trigram similarity is at least TITLE_SIMILARITY; or
- the same type and the same actors: the same initiators and the same targets (one actor at least).

Trigram similarity is pg_trgm's: each title is lower-cased and cut into words (runs of letters and
digits); each word, with two spaces before it and one after, gives its three-character pieces; the
similarity is the number of pieces both titles have over the number either has, from 0 to 1. On
PostgreSQL pg_trgm computes it, and the title's trigram index (events.db.trigram) finds the candidates
with its `%` operator, whose own threshold (pg_trgm.similarity_threshold, 0.3 unless the operator
changed it) must stay at or below ours. SQLite has no pg_trgm: there title_similarity() computes the
same figure in Python, over at most MAX_CANDIDATES events of the window. tests/test_duplicates.py checks
that both give the same figures and the same pairs.

A pair that an editor judged distinct is marked (events.models.NotDuplicate, with the reason) and no
longer reported. The rule is applied
- by the event's admin form, which lists the likely duplicates with links and saves the event only once
  each unmarked one is ticked "not a duplicate" with a reason (editorial.admin.forms);
- when publishing, refused while a published event is an unmarked likely duplicate (events.models.workflow);
- by the CSV import, which warns of each row's likely duplicates in the record and imports it all the same
  (editorial.importing.plan);
- by check_record, which lists the unmarked pairs among the events it checks (events.quality).
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections
from django.db.models import Q, QuerySet

from events.models import Event, EventActor, NotDuplicate

# "Within a few days": a story reported a day or two apart, or dated by its announcement in one entry
# and by its report in another.
DATE_WINDOW_DAYS = 3
# Rephrasings of one headline share about half their trigrams or more (the demo record's Patriot
# announcement retold in other words: 0.5-0.7); two distinct events of one day rarely share 0.4.
TITLE_SIMILARITY = 0.4
# The events of an event's window compared with it in Python, at most: SQLite's bound (PostgreSQL's
# index needs none), and the import's and check_record's.
MAX_CANDIDATES = 200

WINDOW = datetime.timedelta(days=DATE_WINDOW_DAYS)
# The days of an event's window, from the first to the last.
WINDOW_OFFSETS = [datetime.timedelta(days=n) for n in range(-DATE_WINDOW_DAYS, DATE_WINDOW_DAYS + 1)]
# The rule in a sentence, for the editors' forms.
RULE = (
    f"Other events dated within {DATE_WINDOW_DAYS} days of this one with a similar title (at least "
    f"{TITLE_SIMILARITY:.0%} of their trigrams shared), or of the same type with the same actors."
)
# pg_trgm's words: runs of letters and digits (its ISWORDCHR); an underscore separates words.
WORD = re.compile(r"[^\W_]+")

# An event's actors as the rule compares them: (actor id, role) of each.
Actors = frozenset[tuple[int, str]]


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams of a text (show_trgm): each lower-cased word padded "  word " and cut in threes."""
    pieces: set[str] = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        pieces.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(pieces)


def trigram_similarity(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def title_similarity(first: str, second: str) -> float:
    """pg_trgm's similarity(first, second), computed in Python."""
    return trigram_similarity(trigrams(first), trigrams(second))


def likeness(similarity: float, *, same_type: bool, actors: Actors, other_actors: Actors) -> tuple[float, bool]:
    """What the rule finds of two events of one window: the titles' similarity where it counts (else 0),
    and whether they have the same type and actors. Either makes them likely duplicates."""
    similar = similarity if similarity >= TITLE_SIMILARITY else 0.0
    return similar, same_type and bool(actors) and actors == other_actors


def why(similarity: float, same_actors: bool) -> str:
    """What makes two events likely duplicates, in words."""
    reasons = []
    if similarity:
        reasons.append(f"a similar title ({similarity:.0%} of its trigrams shared)")
    if same_actors:
        reasons.append("the same type and actors")
    return " and ".join(reasons)


def candidates() -> QuerySet[Event]:
    """The events a new one may duplicate: all but retracted ones, which readers see withdrawn."""
    return Event.objects.exclude(status=Event.Status.RETRACTED)


# What a likely duplicate shows of the other event (its date, title, status and link).
SHOWN_FIELDS = ("slug", "title", "date", "date_precision", "status", "event_type")


def actor_sets(links: QuerySet[EventActor]) -> dict[int, Actors]:
    """The actors of each event these links belong to, by event id."""
    sets: dict[int, set[tuple[int, str]]] = {}
    for event_id, actor_id, role in links.values_list("event_id", "actor_id", "role"):
        sets.setdefault(event_id, set()).add((actor_id, role))
    return {event_id: frozenset(actors) for event_id, actors in sets.items()}


@dataclass(frozen=True)
class LikelyDuplicate:
    event: Event
    similarity: float  # of the titles, when at least TITLE_SIMILARITY; else 0
    same_actors: bool  # and the same type
    marked: str = ""  # the reason an editor gave when marking the pair "not a duplicate"

    @property
    def why(self) -> str:
        return why(self.similarity, self.same_actors)

    def __str__(self) -> str:
        event = self.event
        return f"“{event.title}” ({event.date_display}, {event.get_status_display().lower()}: {self.why})"


def _similar_titles(nearby: QuerySet[Event], title: str) -> dict[int, float]:
    if connections[nearby.db].vendor == "postgresql":
        similar = (
            nearby.filter(title__trigram_similar=title)
            .annotate(similarity=TrigramSimilarity("title", title))
            .filter(similarity__gte=TITLE_SIMILARITY)
        )
        return dict(similar.values_list("pk", "similarity"))
    grams = trigrams(title)
    found = {}
    for pk, other in nearby.order_by("date", "pk").values_list("pk", "title")[:MAX_CANDIDATES]:
        similarity = trigram_similarity(grams, trigrams(other))
        if similarity >= TITLE_SIMILARITY:
            found[pk] = similarity
    return found


def _same_actors(nearby: QuerySet[Event], event_type_id: int | None, actors: Actors) -> set[int]:
    if not actors or event_type_id is None:
        return set()
    same_type = nearby.filter(event_type_id=event_type_id).order_by("date", "pk").values("pk")[:MAX_CANDIDATES]
    held = actor_sets(EventActor.objects.filter(event__in=same_type))
    return {pk for pk, theirs in held.items() if theirs == actors}


def _marks(pairs: Q) -> dict[frozenset[int], str]:
    """The reasons of the marked pairs among these (a condition on NotDuplicate), by pair of event ids."""
    rows = NotDuplicate.objects.filter(pairs).values_list("event_id", "other_id", "reason")
    return {frozenset((first, second)): reason for first, second, reason in rows}


def likely_duplicates(
    *,
    title: str,
    date: datetime.date,
    event_type_id: int | None,
    actors: Actors,
    exclude_pk: int | None = None,
) -> list[LikelyDuplicate]:
    """The likely duplicates of an event as entered (itself excluded, if saved), in date order, each with
    the reason given if the pair is marked not a duplicate."""
    nearby = candidates().filter(date__range=(date - WINDOW, date + WINDOW))
    if exclude_pk is not None:
        nearby = nearby.exclude(pk=exclude_pk)
    similar = _similar_titles(nearby, title)
    alike = _same_actors(nearby, event_type_id, actors)
    if not similar and not alike:
        return []
    found = [*similar, *alike]
    marked = _marks(Q(event=exclude_pk, other__in=found) | Q(other=exclude_pk, event__in=found)) if exclude_pk else {}
    return [
        LikelyDuplicate(
            event, similar.get(event.pk, 0.0), event.pk in alike, marked.get(frozenset((exclude_pk, event.pk)), "")
        )
        for event in Event.objects.filter(pk__in=found).order_by("date", "pk").only(*SHOWN_FIELDS)
    ]


def likely_duplicates_of(*, event: Event) -> list[LikelyDuplicate]:
    """The likely duplicates of a saved event, with its saved actors."""
    return likely_duplicates(
        title=event.title,
        date=event.date,
        event_type_id=event.event_type_id,
        actors=actor_sets(EventActor.objects.filter(event=event)).get(event.pk, frozenset()),
        exclude_pk=event.pk,
    )


def unmarked(found: Iterable[LikelyDuplicate]) -> list[LikelyDuplicate]:
    return [duplicate for duplicate in found if not duplicate.marked]


def publish_problems(*, event: Event) -> list[str]:
    """Publishing a likely duplicate of a published event needs an editor's word that it is not one (of
    two drafts entered twice, the first may be published: the second is then refused)."""
    pending = [d for d in unmarked(likely_duplicates_of(event=event)) if d.event.status == Event.Status.PUBLISHED]
    if not pending:
        return []
    return [
        "It looks like a duplicate of "
        + "; ".join(map(str, pending))
        + ". If it is not, tick “Not a duplicate” on its form and say why; if it is, publish only one."
    ]


def mark_not_duplicates(*, event: Event, others: Iterable[Event], reason: str) -> list[NotDuplicate]:
    """Mark each pair of `event` and one of `others` as distinct events, for this reason (kept in the
    history with who gave it: simple-history's request middleware records the user)."""
    reason = reason.strip()
    marked = [NotDuplicate(event=event, other=other, reason=reason) for other in others]
    for mark in marked:
        mark.full_clean(validate_constraints=False)
        mark.save()
    return marked


@dataclass(frozen=True)
class Entry:
    """An event as entered, not saved yet (a row of an import): what the rule compares."""

    slug: str
    title: str
    date: datetime.date
    event_type_id: int | None
    actors: Actors
    pk: int | None = None  # the saved event it updates, if any


def likely_duplicates_in_record(*, entries: Sequence[Entry], most: int) -> Iterator[list[LikelyDuplicate]]:
    """The first `most` likely duplicates not marked, among the saved events, of each of a batch of entries
    in turn (the entries' own events aside; the entries are not compared with each other): the events of
    all their windows read in one query, their actors and the entries' marks in one more each, compared
    here as pg_trgm would, MAX_CANDIDATES at most for each entry."""
    nearby = (
        candidates()
        .filter(date__in={entry.date + offset for entry in entries for offset in WINDOW_OFFSETS})
        .exclude(slug__in=[entry.slug for entry in entries])
    )
    by_day: dict[datetime.date, list[tuple[Event, frozenset[str]]]] = {}
    for event in nearby.order_by("date", "pk").only(*SHOWN_FIELDS):
        by_day.setdefault(event.date, []).append((event, trigrams(event.title)))

    def window(entry: Entry) -> list[tuple[Event, frozenset[str]]]:
        return [seen for offset in WINDOW_OFFSETS for seen in by_day.get(entry.date + offset, [])][:MAX_CANDIDATES]

    # The actors of the events that may be compared by theirs: of a type some entry with actors has.
    types = {entry.event_type_id for entry in entries if entry.actors}
    held = actor_sets(EventActor.objects.filter(event__in=nearby.filter(event_type__in=types))) if types else {}
    saved = [entry.pk for entry in entries if entry.pk is not None]
    marked = _marks(Q(event__in=saved) | Q(other__in=saved)) if saved else {}
    for entry in entries:
        grams, found = trigrams(entry.title), []
        for event, event_grams in window(entry):
            similarity, same_actors = likeness(
                trigram_similarity(grams, event_grams),
                same_type=event.event_type_id == entry.event_type_id,
                actors=entry.actors,
                other_actors=held.get(event.pk, frozenset()),
            )
            if (similarity or same_actors) and frozenset((entry.pk, event.pk)) not in marked:
                found.append(LikelyDuplicate(event, similarity, same_actors))
                if len(found) == most:
                    break
        yield found


@dataclass(frozen=True)
class Pair:
    """Two likely duplicates among the events checked: `first` dated no later than `second`."""

    first: dict
    second: dict
    similarity: float  # of the titles, when at least TITLE_SIMILARITY; else 0
    same_actors: bool  # and the same type

    @property
    def why(self) -> str:
        return why(self.similarity, self.same_actors)


PAIR_FIELDS = ("id", "slug", "title", "date", "event_type_id")


def _with_actors(events: QuerySet[Event]) -> Iterator[tuple[dict, Actors]]:
    """Each event in date order with its actors: two queries read in step, whatever the number."""
    rows = events.order_by("date", "id").values(*PAIR_FIELDS).iterator()
    links = (
        EventActor.objects.filter(event__in=events)
        .order_by("event__date", "event_id")
        .values_list("event_id", "actor_id", "role")
        .iterator()
    )
    link = next(links, None)
    for row in rows:
        actors = set()
        while link is not None and link[0] == row["id"]:
            actors.add(link[1:])
            link = next(links, None)
        yield row, frozenset(actors)


def likely_pairs(*, events: QuerySet[Event]) -> Iterator[Pair]:
    """The likely duplicates among these events, each pair once, unless marked: one pass in date order,
    each event compared with the events of the DATE_WINDOW_DAYS days before it (MAX_CANDIDATES at most)."""
    recent: deque[tuple[dict, Actors, frozenset[str]]] = deque(maxlen=MAX_CANDIDATES)
    marked: dict[frozenset[int], str] | None = None  # read at the first pair found: none in a sound record
    for row, actors in _with_actors(events):
        grams = trigrams(row["title"])
        while recent and recent[0][0]["date"] < row["date"] - WINDOW:
            recent.popleft()
        for other, other_actors, other_grams in recent:
            similarity, same_actors = likeness(
                trigram_similarity(grams, other_grams),
                same_type=row["event_type_id"] == other["event_type_id"],
                actors=actors,
                other_actors=other_actors,
            )
            if not similarity and not same_actors:
                continue
            if marked is None:
                marked = _marks(Q(event__in=events, other__in=events))
            if frozenset((other["id"], row["id"])) not in marked:
                yield Pair(other, row, similarity, same_actors)
        recent.append((row, actors, grams))
