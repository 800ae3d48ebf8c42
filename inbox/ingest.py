"""Ingesting a dataset's file into the inbox: streamed, filtered to a region, all or nothing, idempotent.

Each file is read row by row (memory bounded by BATCH_SIZE rows, whatever the file's length) and
written in one transaction: a bad line anywhere (inbox.datasets.BadFile) leaves nothing of the file.
A row already in the inbox (same dataset and id) adds nothing; an ACLED row with a later `timestamp`
than its candidate's updates the candidate while it is still new (once reviewed, it is left as decided).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction

from events.batching import batched
from events.models import Country, Region
from inbox.datasets import Row, acled, gdelt
from inbox.files import Progress, text_lines
from inbox.mapping import Mapper
from inbox.models import Candidate, Dataset

BATCH_SIZE = 1_000
ALREADY_IN = "already in the inbox"
REVIEWED = "already reviewed (its update is not taken)"
REPEATED = "repeated in the file"

# The candidate's fields a changed ACLED row rewrites.
ROW_FIELDS = (
    "date", "date_precision", "actor1_code", "actor1_name", "actor2_code", "actor2_name", "event_code",
    "place", "latitude", "longitude", "source_url", "source_text", "notes", "raw",
)  # fmt: skip
PROPOSAL_FIELDS = ("proposed_type", "initiator", "target", "escalation", "group_key")
LENGTHS = {
    name: Candidate._meta.get_field(name).max_length
    for name in ROW_FIELDS
    if Candidate._meta.get_field(name).max_length is not None
}


class UnknownRegion(Exception):
    """The region asked for is not in the record, or holds a country a dataset cannot name."""


@dataclass
class Summary:
    """What an ingest did with a file's rows: read, kept (new), updated, skipped and why, unmapped codes."""

    read: int = 0
    kept: int = 0
    updated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)

    def lines(self, most_unmapped: int = 20) -> list[str]:
        lines = [f"{self.read} row(s) read, {self.kept} kept as new candidates, {self.updated} updated."]
        lines += [f"  skipped, {reason}: {count}" for reason, count in sorted(self.skipped.items())]
        if self.unmapped:
            lines.append(f"Not mapped ({len(self.unmapped)} code(s); map them in the admin):")
            lines += [f"  {code}: {count} row(s)" for code, count in self.unmapped.most_common(most_unmapped)]
        return lines


def region_countries(slug: str) -> list[Country]:
    try:
        region = Region.objects.get(slug=slug)
    except Region.DoesNotExist:
        known = ", ".join(Region.objects.values_list("slug", flat=True)) or "none"
        raise UnknownRegion(f"No region {slug!r} in the record (regions: {known}).") from None
    return list(region.countries.all())


def parsed(
    dataset: str, lines: Iterable[tuple[int, str]], *, countries: list[Country], only: frozenset[str]
) -> Iterator[Row | str]:
    """The dataset's rows in the region (and of the codes or types asked for), or why each is skipped."""
    if dataset == Dataset.GDELT:
        missing = [c.iso2 for c in countries if c.iso2 not in gdelt.FIPS_BY_ISO2]
        if missing:
            raise UnknownRegion(f"No FIPS 10-4 code known for {', '.join(missing)} (inbox/datasets/gdelt.py).")
        return gdelt.rows(lines, countries=frozenset(c.iso2 for c in countries), roots=only)
    names = {c.name.lower(): c.iso2 for c in countries}
    return acled.rows(LineFile(text for _, text in lines), countries=names, types=frozenset(t.lower() for t in only))


class LineFile:
    """Checked lines as the file object csv.reader reads (an iterator of strings)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines

    def __iter__(self) -> Iterator[str]:
        return self.lines


def ingest(
    *,
    dataset: str,
    stream: BinaryIO,
    size: int,
    region: str,
    only: Iterable[str] = (),
    progress: Progress | None = None,
) -> Summary:
    """Ingest one file (its binary stream, `size` bytes of text); BadFile or UnknownRegion otherwise, and
    then nothing of it is written. `only`: CAMEO roots (GDELT) or ACLED event types to keep."""
    countries = region_countries(region)
    by_iso2 = {country.iso2: country for country in countries}
    summary, mapper = Summary(), Mapper()
    rows = parsed(dataset, text_lines(stream, size=size, progress=progress), countries=countries, only=frozenset(only))
    with transaction.atomic():
        batch: dict[str, Row] = {}
        for row in rows:
            summary.read += 1
            if isinstance(row, str):
                summary.skipped[row] += 1
            elif row.dataset_id in batch:
                summary.skipped[REPEATED] += 1
            else:
                batch[row.dataset_id] = row
                if len(batch) == BATCH_SIZE:
                    write(dataset, batch, summary, mapper, by_iso2)
                    batch = {}
        write(dataset, batch, summary, mapper, by_iso2)
    summary.unmapped = mapper.unmapped
    return summary


def write(dataset: str, batch: dict[str, Row], summary: Summary, mapper: Mapper, by_iso2: dict) -> None:
    """Add the batch's new rows, update its changed ones still new: three queries at most."""
    if not batch:
        return
    held = {c.dataset_id: c for c in Candidate.objects.filter(dataset=dataset, dataset_id__in=list(batch))}
    new, changed = [], []
    for dataset_id, row in batch.items():
        candidate = held.get(dataset_id)
        if candidate is None:
            new.append(candidate_of(row, mapper, by_iso2))
        elif not is_later(row.timestamp, candidate.upstream_timestamp):
            summary.skipped[ALREADY_IN] += 1
        elif candidate.status != Candidate.Status.NEW:
            summary.skipped[REVIEWED] += 1
        else:
            changed.append(updated(candidate, row, mapper, by_iso2))
    Candidate.objects.bulk_create(new)
    Candidate.objects.bulk_update(changed, [*ROW_FIELDS, "country", "upstream_timestamp", *PROPOSAL_FIELDS])
    summary.kept += len(new)
    summary.updated += len(changed)


def is_later(timestamp: int | None, held: int | None) -> bool:
    """Whether the row was changed upstream since its candidate was made (ACLED's timestamp)."""
    return timestamp is not None and held is not None and timestamp > held


def candidate_of(row: Row, mapper: Mapper, by_iso2: dict) -> Candidate:
    return updated(Candidate(dataset=row.dataset, dataset_id=row.dataset_id), row, mapper, by_iso2)


def updated(candidate: Candidate, row: Row, mapper: Mapper, by_iso2: dict) -> Candidate:
    for name in ROW_FIELDS:
        value = getattr(row, name)
        # A dataset's text longer than the field holds is cut, not refused: the raw row keeps it whole.
        setattr(candidate, name, value[: LENGTHS[name]] if name in LENGTHS else value)
    candidate.country = by_iso2.get(row.country_iso2)
    candidate.upstream_timestamp = row.timestamp
    return proposed(candidate, row, mapper)


def proposed(candidate: Candidate, row: Row, mapper: Mapper) -> Candidate:
    """The candidate with what the mappings make of its row."""
    proposal = mapper.propose(row)
    candidate.proposed_type = proposal.event_type
    candidate.initiator = proposal.initiator
    candidate.target = proposal.target
    candidate.escalation = proposal.escalation
    candidate.group_key = proposal.group_key
    return candidate


def row_of(candidate: Candidate) -> Row:
    """A candidate's row again, as the mappings read it (its raw row gives the codes it keeps no field for)."""
    raw = candidate.raw
    return Row(
        line=0,
        **{name: getattr(candidate, name) for name in ("dataset", "dataset_id", *ROW_FIELDS)},
        cameo_root=raw.get("EventRootCode", ""),
        acled_types=(raw.get("event_type", "").strip(), raw.get("sub_event_type", "").strip()),
        country_iso2=candidate.country.iso2 if candidate.country else "",
        timestamp=candidate.upstream_timestamp,
    )


def remap() -> tuple[int, Counter[str]]:
    """The mappings as they are now applied to every new candidate again (a mapping added after its row
    was ingested); returns how many were read, and the codes still not mapped."""
    mapper, count = Mapper(), 0
    candidates = Candidate.objects.filter(status=Candidate.Status.NEW).select_related("country").order_by("pk")
    with transaction.atomic():
        for batch in batched(candidates.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            Candidate.objects.bulk_update([proposed(c, row_of(c), mapper) for c in batch], PROPOSAL_FIELDS)
            count += len(batch)
    return count, mapper.unmapped
