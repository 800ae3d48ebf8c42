"""The editors' decisions on a group of candidates: accept it as a draft event, merge it into an event of
the record (its sources added), or dismiss it with a reason. Nothing here publishes: an accepted group is
a draft, which goes through review like any other; sources are added to a public event only by a
publisher (editorial.admin.base.may_edit's rule). Each decision is one transaction, refused whole if any
candidate of the group was decided meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from editorial.sources.fetch import FetchError
from editorial.sources.snapshots import look_up
from events.models import Event, EventActor, EventType, Source
from events.models.workflow import User
from events.services import can_publish
from inbox.grouping import Group
from inbox.models import Candidate, Dataset
from inbox.selectors import provenance, provenance_of

ADD_EVENT, ADD_SOURCE = "events.add_event", "events.add_source"
HISTORY_REASON_LENGTH = 100
# The pages of an accepted group read at most, each within SOURCE_FETCH_TIMEOUT: the editor waits for them.
MOST_PAGES_READ = 5
# What an event's date precision is for a candidate's: a week is not one of ours, its month is the nearest.
PRECISIONS = {
    Candidate.Precision.DAY: Event.Precision.DAY,
    Candidate.Precision.WEEK: Event.Precision.MONTH,
    Candidate.Precision.MONTH: Event.Precision.MONTH,
}


def history_reason(decision: str, candidates: Sequence[Candidate]) -> str:
    """The revision history's reason, cut to what it holds (simple-history's 100 characters): the event's
    candidates (inbox.models.Candidate.event) keep every id."""
    reason = f"{decision} from the inbox: {provenance(candidates)}"
    return reason if len(reason) <= HISTORY_REASON_LENGTH else reason[: HISTORY_REASON_LENGTH - 1] + "…"


def _undecided(candidates: Sequence[Candidate], user: User | None, permission: str) -> list[Candidate]:
    """The group's candidates locked and checked still new, once the user's permission is checked."""
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied("Only editors decide on the inbox's candidates.")
    locked = list(
        Candidate.objects.select_for_update(of=("self",))  # not the nullable joined rows
        .select_related("proposed_type", "initiator", "target", "country")
        .filter(pk__in=[c.pk for c in candidates])
        .order_by("pk")
    )
    decided = [c for c in locked if c.status != Candidate.Status.NEW]
    if decided or len(locked) != len(candidates):
        gone = provenance(decided) or "some candidates are gone"
        raise ValidationError(f"Already decided: {gone}. Reload the inbox.")
    return locked


def _sources(group: Group, event: Event) -> list[Source]:
    """The group's sources not already the event's: a web page for each URL (GDELT), ACLED's coded
    sources by name (ACLED gives no URL)."""
    held = set(event.sources.values_list("url", flat=True)) if event.pk else set()
    sources = [
        Source(event=event, url=url, publisher=urlsplit(url).hostname or url, kind=Source.Kind.NEWS)
        for url in group.urls
        if url not in held
    ]
    for candidate in group.candidates:
        if candidate.dataset == Dataset.ACLED and candidate.source_text:
            sources.append(
                Source(
                    event=event,
                    publisher=candidate.source_text[:200],
                    title=f"As coded by ACLED, event {candidate.dataset_id}",
                    kind=Source.Kind.RESEARCH,
                )
            )
    return sources


def _save_sources(sources: list[Source], reason: str, user: User | None) -> None:
    for source in sources:
        source.full_clean(exclude=["event"])
        source._change_reason = reason
        if user is not None:
            source._history_user = user
        source.save()


@transaction.atomic
def accept_group(*, group: Group, user: User | None = None, event_type: EventType | None = None) -> Event:
    """A draft event pre-filled from the group: its title, date, type (the one given, else the proposed),
    actors, place and sources. The event's history says which candidates it was made from."""
    candidates = _undecided(group.candidates, user, ADD_EVENT)
    group = Group(candidates)
    event_type = event_type or group.event_type
    if event_type is None:
        raise ValidationError("Choose the event's type: none was proposed for this group (its codes are not mapped).")
    placed = next((c for c in candidates if c.latitude is not None), candidates[0])
    notes = "\n\n".join(dict.fromkeys(c.notes for c in candidates if c.notes))
    event = Event(
        title=group.title,
        date=group.date,
        date_precision=PRECISIONS[candidates[0].date_precision],
        summary=notes or f"{group.title}.",
        event_type=event_type,
        location_country=group.country,
        location_name=placed.place[:200],
        latitude=placed.latitude,
        longitude=placed.longitude,
        status=Event.Status.DRAFT,
        made_from=provenance(candidates),
    )
    event.full_clean(exclude=["slug"])
    reason = history_reason("Accepted", candidates)
    event._change_reason = reason
    if user is not None:
        event._history_user = user
    event.save()
    for actor, role in ((group.initiator, EventActor.Role.INITIATOR), (group.target, EventActor.Role.TARGET)):
        if actor is not None:
            EventActor.objects.create(event=event, actor=actor, role=role)
    _save_sources(_sources(group, event), reason, user)
    Candidate.objects.filter(pk__in=[c.pk for c in candidates]).update(status=Candidate.Status.ACCEPTED, event=event)
    return event


@transaction.atomic
def merge_group(*, group: Group, event: Event, user: User | None = None) -> list[Source]:
    """The group's sources added to an event of the record (those it has not already); a public event's
    only by a publisher."""
    candidates = _undecided(group.candidates, user, ADD_SOURCE)
    if user is not None and event.is_public and not can_publish(user):
        raise PermissionDenied(
            f"“{event.title}” is {event.get_status_display().lower()}: only a publisher adds sources to what "
            "readers see. Ask a publisher to merge this group."
        )
    sources = _sources(Group(candidates), event)
    _save_sources(sources, history_reason("Merged", candidates), user)
    Candidate.objects.filter(pk__in=[c.pk for c in candidates]).update(status=Candidate.Status.MERGED, event=event)
    # A new version: an editor's form opened before the merge would otherwise save its stale copy over it.
    Event.objects.filter(pk=event.pk).update(made_from=provenance_of(event=event), version=F("version") + 1)
    return sources


@transaction.atomic
def dismiss_groups(*, groups: Sequence[Group], reason: str, user: User | None = None) -> int:
    """Dismiss every candidate of these groups, for this reason; returns how many."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why these candidates are dismissed.")
    candidates = _undecided([c for g in groups for c in g.candidates], user, ADD_EVENT)
    return Candidate.objects.filter(pk__in=[c.pk for c in candidates]).update(
        status=Candidate.Status.DISMISSED, dismiss_reason=reason
    )


def fill_from_pages(*, event: Event, may_fetch: Callable[[], bool]) -> list[str]:
    """Fill the event's web sources still as the inbox made them (publisher = host, no title) from their
    pages, as the editors' *Fill from the page* does, keeping a copy of each page; MOST_PAGES_READ at most,
    each only if `may_fetch()` (the look-ups' rate). Run after the accept's transaction: no fetch holds
    it open. Returns what could not be read, in words; a source not read stays as it was."""
    problems = []
    for source in event.sources.exclude(url="").filter(title="").order_by("pk")[:MOST_PAGES_READ]:
        if not may_fetch():
            problems.append(f"{source.url}: not read, too many look-ups this minute.")
            continue
        try:
            found = look_up(source.url, source=source).found
        except (FetchError, ValidationError) as error:
            problems.append(f"{source.url}: {' '.join(getattr(error, 'messages', [str(error)]))}")
            continue
        source.publisher = found.publisher or source.publisher
        source.title = found.title
        source.published_on = found.published_on or source.published_on
        source._change_reason = "Filled from its page on accepting from the inbox"
        source.save(update_fields=["publisher", "title", "published_on", "updated_at"])
    return problems
