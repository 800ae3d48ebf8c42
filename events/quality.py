"""The data-quality rules: what in the record needs an editor's attention.

Each rule is one function that takes a queryset of events and yields the problems it finds, each with
a severity: an ERROR is something the record must not show readers (a link without its evidence, a
reaction dated before what it answers), a WARNING something an editor should look at (a single
source, a source without a date). `manage.py check_record` prints them and fails on any error; the
admin lists the same problems for editors. Every rule is a query or two whatever the record's size.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Trim

from editorial.models import Finding, with_page_checks
from events import duplicates
from events.link_reading import LAG_WORDS, in_another_alphabet, stated_lag, word_stems
from events.models import Actor, Country, Event, EventType, Reaction, Source

ERROR, WARNING = "error", "warning"

# The sign each category's escalation must have: de-escalation lowers tension, the others raise it;
# a statement may go either way (a neutral statement is 0, a condemnation +2).
CATEGORY_SIGNS: dict[str, int] = {
    EventType.Category.MILITARY_POSTURE: 1,
    EventType.Category.WARNING: 1,
    EventType.Category.ECONOMIC: 1,
    EventType.Category.DIPLOMATIC: 1,
    EventType.Category.INCIDENT: 1,
    EventType.Category.DE_ESCALATION: -1,
}

# A title that is a description in brackets, "[Report of 23 May 2021: …]", not the source's own title.
BRACKETED = re.compile(r"^\s*\[.*\]\s*$", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    severity: str
    rule: str
    event_id: int
    event_slug: str
    event_title: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


Rule = Callable[[QuerySet], Iterator[Problem]]

# Every rule, in the order they are reported; @rule adds one.
RULES: list[Rule] = []
TITLES: dict[Rule, str] = {}


def rule(title: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES.append(function)
        TITLES[function] = title
        return function

    return register


def _problem(severity: str, rule: str, row: dict, message: str) -> Problem:
    return Problem(severity, rule, row["id"], row["slug"], row["title"], message)


EVENT_FIELDS = ("id", "slug", "title")


def _link_rows(links: QuerySet) -> Iterator[dict]:
    return (
        links.values(
            "event_id",
            "event__slug",
            "event__title",
            "responds_to__slug",
            "responds_to__title",
        )
        .order_by("event__date", "event_id", "responds_to_id")
        .iterator()
    )


def _link_event(row: dict) -> dict:
    return {"id": row["event_id"], "slug": row["event__slug"], "title": row["event__title"]}


@rule("Links without a basis")
def links_without_basis(events: QuerySet) -> Iterator[Problem]:
    """A reaction link is a claim: it needs a source that makes the connection or a judgement."""
    for row in _link_rows(Reaction.objects.filter(event__in=events).without_basis()):
        yield _problem(
            ERROR,
            "link-without-basis",
            _link_event(row),
            f"Its link to “{row['responds_to__title']}” ({row['responds_to__slug']}) gives no basis: "
            "a source that makes the connection, or the editor's judgement with a reason.",
        )


@rule("Links resting on another event's source")
def links_backed_by_another_events_source(events: QuerySet) -> Iterator[Problem]:
    """The basis source of a link must be one of the two events' sources, or the link's own."""
    links = Reaction.objects.filter(event__in=events, basis_source__event__isnull=False).exclude(
        Q(basis_source__event=F("event")) | Q(basis_source__event=F("responds_to"))
    )
    for row in _link_rows(links):
        yield _problem(
            ERROR,
            "link-basis-elsewhere",
            _link_event(row),
            f"Its link to “{row['responds_to__title']}” rests on a source of a third event: "
            "use a source of either event, or give the link its own.",
        )


@rule("Events with one source or none")
def source_count(events: QuerySet) -> Iterator[Problem]:
    """No source is an error; a single source is a warning: one report is easily wrong."""
    rows = events.annotate(n=Count("sources")).filter(n__lt=2).values(*EVENT_FIELDS, "n")
    for row in rows.order_by("date", "id").iterator():
        if row["n"] == 0:
            yield _problem(ERROR, "no-source", row, "It has no source.")
        else:
            yield _problem(WARNING, "single-source", row, "It rests on a single source: look for a second one.")


@rule("Confirmed on the actor's own word")
def confirmed_on_own_sources(events: QuerySet) -> Iterator[Problem]:
    """'Confirmed' needs a source that is not the actor speaking for itself."""
    independent = Source.objects.exclude(kind__in=Source.SELF_REPORTED_KINDS).values("event_id")
    rows = events.filter(verification=Event.Verification.CONFIRMED).exclude(pk__in=independent)
    for row in rows.values(*EVENT_FIELDS).order_by("date", "id").iterator():
        yield _problem(
            ERROR,
            "confirmed-on-own-sources",
            row,
            "It is marked confirmed, but its only sources are official statements or social media: "
            "add an independent source or mark it claimed.",
        )


@rule("Escalation overrides without a note")
def escalation_override_without_note(events: QuerySet) -> Iterator[Problem]:
    """An escalation away from the type's default says why."""
    rows = (
        events.annotate(note=Trim("escalation_note"))
        .filter(note="")
        .exclude(escalation=F("event_type__default_escalation"))
        .values(*EVENT_FIELDS, "escalation", "event_type__default_escalation")
    )
    for row in rows.order_by("date", "id").iterator():
        yield _problem(
            ERROR,
            "escalation-without-note",
            row,
            f"Its escalation ({row['escalation']}) differs from its type's default "
            f"({row['event_type__default_escalation']}) without a note saying why.",
        )


@rule("Escalation notes that contradict the score")
def escalation_note_against_value(events: QuerySet) -> Iterator[Problem]:
    """A note that says "above the default" on a score below it (or the reverse) contradicts itself."""
    rows = events.exclude(escalation=F("event_type__default_escalation")).filter(
        # A plain contains in SQL (regex dialects differ: \b is a backspace to PostgreSQL); words in Python.
        Q(escalation_note__icontains="above") | Q(escalation_note__icontains="below")
    )
    fields = ("escalation", "escalation_note", "event_type__default_escalation")
    for row in rows.values(*EVENT_FIELDS, *fields).order_by("date", "id").iterator():
        note, higher = row["escalation_note"].lower(), row["escalation"] > row["event_type__default_escalation"]
        says_higher, says_lower = bool(re.search(r"\babove\b", note)), bool(re.search(r"\bbelow\b", note))
        if says_higher != says_lower and says_higher != higher:
            yield _problem(
                WARNING,
                "note-against-value",
                row,
                f"Its escalation note says {'above' if says_higher else 'below'} the default, but its score "
                f"({row['escalation']}) is {'above' if higher else 'below'} the default "
                f"({row['event_type__default_escalation']}).",
            )


UNCONFIRMED = (Event.Verification.CLAIMED, Event.Verification.DISPUTED)
# Word stems an escalation note uses when it weighs that its event is unconfirmed ("claimed",
# "if confirmed", "not independently verified", "disputed", "alleged").
UNCONFIRMED_WORDS = ("claim", "confirm", "verif", "disput", "alleg")


@rule("Escalation overrides on unconfirmed events")
def unconfirmed_override_without_reason(events: QuerySet) -> Iterator[Problem]:
    """A claimed or disputed event scored away from its type's default says why in view of that: above
    the default, a claim would weigh more than a confirmed event of its type."""
    says_why = Q()
    for word in UNCONFIRMED_WORDS:
        says_why |= Q(escalation_note__icontains=word)
    rows = (
        events.filter(verification__in=UNCONFIRMED)
        .exclude(escalation=F("event_type__default_escalation"))
        .annotate(note=Trim("escalation_note"))
        .exclude(note="")  # an override without any note is an error of its own (escalation-without-note)
        .exclude(says_why)
        .values(*EVENT_FIELDS, "verification", "escalation", "event_type__default_escalation")
    )
    for row in rows.order_by("date", "id").iterator():
        default = row["event_type__default_escalation"]
        yield _problem(
            WARNING,
            "unconfirmed-override",
            row,
            f"It is {row['verification']}, yet scored {row['escalation']} against its type's default ({default}), "
            "and its escalation note does not say why for an unconfirmed event: say so, or return it to the default.",
        )


def _source_rows(events: QuerySet, sources: QuerySet) -> Iterator[tuple[dict, dict]]:
    """(event, source) pairs of these sources among the events' own and their links' own sources."""
    fields = ("id", "title", "url", "publisher", "published_on")
    own = sources.filter(event__in=events).values("event_id", "event__slug", "event__title", *fields)
    for row in own.order_by("event__date", "event_id", "id").iterator():
        yield {"id": row["event_id"], "slug": row["event__slug"], "title": row["event__title"]}, row
    of_links = sources.filter(event__isnull=True, backed_links__event__in=events).values(
        "backed_links__event_id", "backed_links__event__slug", "backed_links__event__title", *fields
    )
    for row in of_links.order_by("backed_links__event__date", "backed_links__event_id", "id").iterator():
        event = {
            "id": row["backed_links__event_id"],
            "slug": row["backed_links__event__slug"],
            "title": row["backed_links__event__title"],
        }
        yield event, row


def _source_name(source: dict) -> str:
    return f"“{source['title'] or source['url']}”"


@rule("Sources without a date or publisher")
def sources_without_date_or_publisher(events: QuerySet) -> Iterator[Problem]:
    """A reader must be able to find a source: who published it is required, when, nearly so."""
    lacking = Source.objects.annotate(named=Trim("publisher")).filter(Q(named="") | Q(published_on__isnull=True))
    for event, source in _source_rows(events, lacking):
        if not source["publisher"].strip():
            yield _problem(
                ERROR, "source-without-publisher", event, f"Its source {_source_name(source)} has no publisher."
            )
        if source["published_on"] is None:
            yield _problem(
                WARNING, "source-without-date", event, f"Its source {_source_name(source)} has no publication date."
            )


@rule("Source titles in brackets")
def bracketed_source_titles(events: QuerySet) -> Iterator[Problem]:
    """A title in brackets is our description of a source, not its title: a reader cannot find it by it."""
    candidates = Source.objects.filter(title__startswith="[", title__endswith="]")
    for event, source in _source_rows(events, candidates):
        if BRACKETED.match(source["title"]):
            yield _problem(
                WARNING,
                "bracketed-title",
                event,
                f"Its source {_source_name(source)} has a description in brackets for a title: give the real one.",
            )


@rule("Events whose every source is gone")
def every_source_gone(events: QuerySet) -> Iterator[Problem]:
    """Every source's page was last found gone (manage.py check_sources): readers see only our copies."""
    gone = with_page_checks(Source.objects.all()).filter(page_finding=Finding.GONE)
    standing = Source.objects.filter(event__isnull=False).exclude(pk__in=gone.values("pk")).values("event_id")
    rows = events.filter(pk__in=gone.values("event_id")).exclude(pk__in=standing).values(*EVENT_FIELDS)
    for row in rows.order_by("date", "id").iterator():
        yield _problem(
            WARNING,
            "every-source-gone",
            row,
            "The pages of all its sources are gone: find where they moved, or other sources.",
        )


def latest_possible_day(day: datetime.date, precision: str) -> datetime.date:
    """The last day a date at this precision may stand for (a month's last day for "March 2024")."""
    if precision == Event.Precision.YEAR:
        return day.replace(month=12, day=31)
    if precision == Event.Precision.MONTH:
        following = day.replace(day=28) + datetime.timedelta(days=4)
        return following - datetime.timedelta(days=following.day)
    return day


@rule("Reactions dated before what they answer")
def reactions_before_what_they_answer(events: QuerySet) -> Iterator[Problem]:
    """A reaction cannot come before what it answers (at the precision its date is known)."""
    links = Reaction.objects.filter(event__in=events, event__date__lt=F("responds_to__date")).values(
        "event_id",
        "event__slug",
        "event__title",
        "event__date",
        "event__date_precision",
        "responds_to__slug",
        "responds_to__title",
        "responds_to__date",
    )
    for row in links.order_by("event__date", "event_id").iterator():
        if latest_possible_day(row["event__date"], row["event__date_precision"]) < row["responds_to__date"]:
            yield _problem(
                ERROR,
                "reaction-before-answered",
                _link_event(row),
                f"It is dated before “{row['responds_to__title']}” ({row['responds_to__date']}), "
                "which it is said to answer.",
            )


# The names of states, countries and alliances stand in reports of many events: they name none.
NAMING_NO_EVENT = (Actor.Kind.STATE, Actor.Kind.ALLIANCE)


def _stems_naming_no_event() -> set[str]:
    """The stems of every state's, alliance's and country's names and aliases (one query)."""
    names = Actor.objects.filter(kind__in=NAMING_NO_EVENT).order_by().values_list("name", "aliases")
    countries = Country.objects.order_by().annotate(none=Value("")).values_list("name", "none")
    return {stem for name, aliases in names.union(countries, all=True) for stem in word_stems(f"{name} {aliases}")}


@rule("Links whose source may not make the connection")
def links_source_unconnected(events: QuerySet) -> Iterator[Problem]:
    """The source a link cites must come after the event answered, and name it in its title or excerpt
    (a word of its title that is not a country's or an alliance's name): otherwise look again. The words
    are not compared when the source is written in another alphabet."""
    no_event = _stems_naming_no_event()
    links = Reaction.objects.filter(event__in=events, basis_source__isnull=False).values(
        "event_id",
        "event__slug",
        "event__title",
        "responds_to__title",
        "responds_to__date",
        "basis_source__title",
        "basis_source__url",
        "basis_source__excerpt",
        "basis_source__published_on",
    )
    for row in links.order_by("event__date", "event_id", "responds_to_id").iterator():
        source = f"“{row['basis_source__title'] or row['basis_source__url']}”"
        text = f"{row['basis_source__title']} {row['basis_source__excerpt']}"
        published, answered = row["basis_source__published_on"], row["responds_to__date"]
        if published is not None and published < answered:
            why = f"is dated {published}, before the event it is said to answer ({answered})"
        elif not in_another_alphabet(text) and not (word_stems(row["responds_to__title"]) - no_event) & word_stems(
            text
        ):
            why = "does not name that event in its title or excerpt"
        else:
            continue
        yield _problem(
            WARNING,
            "link-source-unconnected",
            _link_event(row),
            f"Its link to “{row['responds_to__title']}” cites {source}, which {why}: check that the source makes "
            "the connection (quote the passage that does), or give the link as the editors' judgement with a reason.",
        )


@rule("Link notes whose lag the dates contradict")
def link_note_against_dates(events: QuerySet) -> Iterator[Problem]:
    """A link note that says "the day after" or "two weeks later" must agree with the two events' dates
    (at the precision each is known)."""
    mentions = Q()
    for word in LAG_WORDS:
        mentions |= Q(note__icontains=word)
    links = (
        Reaction.objects.filter(mentions, event__in=events)
        .values(
            "event_id",
            "event__slug",
            "event__title",
            "event__date",
            "event__date_precision",
            "responds_to__title",
            "responds_to__date",
            "responds_to__date_precision",
            "note",
        )
        .order_by("event__date", "event_id", "responds_to_id")
    )
    for row in links.iterator():
        stated = stated_lag(row["note"])
        if stated is None:
            continue
        phrase, (fewest, most) = stated
        event_day, answered_day = row["event__date"], row["responds_to__date"]
        earliest = (event_day - latest_possible_day(answered_day, row["responds_to__date_precision"])).days
        latest = (latest_possible_day(event_day, row["event__date_precision"]) - answered_day).days
        if most < earliest or fewest > latest:
            apart = f"{earliest} day(s)" if earliest == latest else f"{earliest} to {latest} days"
            yield _problem(
                WARNING,
                "link-note-against-dates",
                _link_event(row),
                f"Its link note to “{row['responds_to__title']}” says “{phrase}”, but the events are {apart} "
                f"apart ({answered_day} → {event_day}): correct the note or a date.",
            )


@rule("Categories contradicted by the escalation's sign")
def category_against_escalation_sign(events: QuerySet) -> Iterator[Problem]:
    """A de-escalation that raises tension, or a threat that lowers it, is coded wrongly somewhere."""
    raising = [category for category, sign in CATEGORY_SIGNS.items() if sign > 0]
    lowering = [category for category, sign in CATEGORY_SIGNS.items() if sign < 0]
    rows = events.filter(
        Q(event_type__category__in=raising, escalation__lt=0) | Q(event_type__category__in=lowering, escalation__gt=0)
    ).values(*EVENT_FIELDS, "escalation", "event_type__name", "event_type__category")
    for row in rows.order_by("date", "id").iterator():
        label = EventType.Category(row["event_type__category"]).label.lower()
        yield _problem(
            ERROR,
            "category-against-sign",
            row,
            f"Its type “{row['event_type__name']}” is in the category {label}, but its escalation is "
            f"{row['escalation']}: change the type or the score.",
        )


@rule("Disputed events without a note")
def verification_without_note(events: QuerySet) -> Iterator[Problem]:
    """A disputed event says who disputes what; readers otherwise cannot weigh it."""
    rows = events.annotate(note=Trim("verification_note")).filter(verification=Event.Verification.DISPUTED, note="")
    for row in rows.values(*EVENT_FIELDS).order_by("date", "id").iterator():
        yield _problem(WARNING, "disputed-without-note", row, "It is disputed without a note saying who disputes what.")


@rule("Likely duplicates")
def likely_duplicates(events: QuerySet) -> Iterator[Problem]:
    """Two events dated within a few days with similar titles, or of one type with the same actors, are
    likely one event entered twice, unless an editor marked them not duplicates (events.duplicates)."""
    for pair in duplicates.likely_pairs(events=events):
        earlier = pair.first
        yield _problem(
            WARNING,
            "likely-duplicate",
            pair.second,
            f"It looks like a duplicate of “{earlier['title']}” ({earlier['slug']}, {earlier['date']}): {pair.why}. "
            "Merge them, or mark them not duplicates with a reason on the event's form.",
        )


def events_to_check(*, all_statuses: bool = False) -> QuerySet:
    """By default what readers see as current: published events (a retraction is already withdrawn)."""
    return Event.objects.all() if all_statuses else Event.objects.published()


def find_problems(events: QuerySet | None = None, *, rules: Iterable[Rule] = RULES) -> Iterator[Problem]:
    """Every problem of these events (published ones by default), rule by rule, lazily."""
    events = events_to_check() if events is None else events
    for check in rules:
        yield from check(events)


@dataclass(frozen=True)
class RuleReport:
    """One rule's first problems, for a page that must stay small whatever the record's size."""

    title: str
    description: str
    problems: list[Problem]
    more: bool  # problems beyond the first `limit`

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def rule_reports(events: QuerySet, *, limit: int) -> list[RuleReport]:
    reports = []
    for check in RULES:
        found = list(islice(check(events), limit + 1))
        description = (check.__doc__ or "").strip()
        reports.append(RuleReport(TITLES[check], description, found[:limit], len(found) > limit))
    return reports
