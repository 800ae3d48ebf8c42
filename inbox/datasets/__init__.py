"""Reading the datasets' files: one module per dataset (gdelt.py, acled.py), each turning its rows into Rows.

A file that cannot be read as the dataset's (wrong number of columns, binary, not UTF-8, a value that
does not parse) raises BadFile naming the line: nothing of that file is kept (inbox.ingest).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# Why a row is not kept, as the ingest's summary says it.
OUTSIDE_REGION = "outside the region"


class BadFile(Exception):
    """The file is not the dataset's; the message names the line and says what is wrong."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Row:
    """One row of a dataset, in the candidate's terms (inbox.models.Candidate)."""

    line: int
    dataset: str
    dataset_id: str
    date: datetime.date
    date_precision: str
    actor1_code: str
    actor1_name: str
    actor2_code: str
    actor2_name: str
    event_code: str
    cameo_root: str  # GDELT's EventRootCode; empty for ACLED (its type is mapped to ours first)
    acled_types: tuple[str, str]  # ACLED's event type and sub-event type; empty for GDELT
    country_iso2: str  # where it happened, as an ISO 3166-1 code ("" if the dataset says nowhere we know)
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    source_url: str
    source_text: str
    notes: str
    raw: dict[str, Any]
    timestamp: int | None = None


def coordinate(value: str, *, line: int, column: str, limit: int) -> Decimal | None:
    """A latitude or longitude rounded to five decimals (the record's precision), or None when empty."""
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip()).quantize(Decimal("0.00001"))
    except InvalidOperation:
        raise BadFile(line, f"{column} {value!r} is not a number.") from None
    if not -limit <= number <= limit:
        raise BadFile(line, f"{column} {value!r} is outside −{limit}…{limit}.")
    return number


def web_url(value: str) -> str:
    """The value if it is a web address (http or https), else "": a dataset's URL column is not trusted."""
    value = value.strip()
    return value if value.lower().startswith(("http://", "https://")) and len(value) <= 1000 else ""
