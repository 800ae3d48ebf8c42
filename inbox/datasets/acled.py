"""ACLED's CSV export: a header, then one event a row, in the columns of ACLED's codebook (event_id_cnty,
event_date, year, time_precision, disorder_type, event_type, sub_event_type, actor1, assoc_actor_1,
inter1, actor2, assoc_actor_2, inter2, interaction, civilian_targeting, iso, region, country, admin1,
admin2, admin3, location, latitude, longitude, geo_precision, source, source_scale, notes, fatalities,
tags, timestamp). The columns are found by their names; those READ must be there, the others may not.

event_date is read as ISO (2024-03-08), as the codebook's dd-mm-yyyy, or as "08 March 2024";
time_precision 1 is the day, 2 a week, 3 a month; `country` is a country's name, matched to ours.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from typing import TextIO

from events.models.event import LATITUDE_LIMIT, LONGITUDE_LIMIT
from inbox.datasets import OUTSIDE_REGION, BadFile, Row, coordinate
from inbox.models import Candidate, Dataset

READ = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "country", "location", "latitude", "longitude", "source", "notes", "timestamp",
)  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d %B %Y")
PRECISIONS = {"1": Candidate.Precision.DAY, "2": Candidate.Precision.WEEK, "3": Candidate.Precision.MONTH}
OTHER_TYPE = "not among the ACLED event types asked for"


def event_date(value: str, *, line: int) -> datetime.date:
    for format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), format).date()
        except ValueError:
            continue
    raise BadFile(line, f"event_date {value!r} is not a date (2024-03-08, 08-03-2024 or 08 March 2024).")


def precision(value: str, *, line: int) -> str:
    try:
        return PRECISIONS[value.strip()]
    except KeyError:
        raise BadFile(line, f"time_precision {value!r} is not 1, 2 or 3.") from None


def timestamp(value: str, *, line: int) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise BadFile(line, f"timestamp {value!r} is not a whole number (seconds since 1970).") from None


def header(reader: Iterator[list[str]]) -> list[str]:
    try:
        names = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise BadFile(1, "the file is empty: an ACLED export starts with its header.") from None
    missing = [name for name in READ if name not in names]
    if missing:
        raise BadFile(1, f"the header lacks ACLED's column(s) {', '.join(missing)}.")
    return names


def rows(file: TextIO, *, countries: dict[str, str], types: frozenset[str]) -> Iterator[Row | str]:
    """The Rows of an ACLED export in one of these countries (ISO code by lower-cased name) and of one of
    these event types (lower-cased; any if none given); for each other row, why it is skipped."""
    reader = csv.reader(file)
    try:
        names = header(reader)
        for cells in reader:
            yield row(names, cells, reader.line_num, countries=countries, types=types)
    except csv.Error as error:
        raise BadFile(reader.line_num, f"not a CSV row ({error}).") from None


def row(
    names: list[str], cells: list[str], line: int, *, countries: dict[str, str], types: frozenset[str]
) -> Row | str:
    if len(cells) != len(names):
        raise BadFile(line, f"{len(cells)} columns where the header has {len(names)}.")
    get = dict(zip(names, cells, strict=True)).__getitem__
    iso2 = countries.get(get("country").strip().lower())
    if iso2 is None:
        return OUTSIDE_REGION
    if types and get("event_type").strip().lower() not in types:
        return OTHER_TYPE
    event_type, sub_event_type = get("event_type").strip(), get("sub_event_type").strip()
    return Row(
        line=line,
        dataset=Dataset.ACLED,
        dataset_id=get("event_id_cnty").strip(),
        date=event_date(get("event_date"), line=line),
        date_precision=precision(get("time_precision"), line=line),
        actor1_code="",
        actor1_name=get("actor1").strip(),
        actor2_code="",
        actor2_name=get("actor2").strip(),
        event_code=f"{event_type} / {sub_event_type}",
        cameo_root="",
        acled_types=(event_type, sub_event_type),
        country_iso2=iso2,
        place=get("location").strip(),
        latitude=coordinate(get("latitude"), line=line, column="latitude", limit=LATITUDE_LIMIT),
        longitude=coordinate(get("longitude"), line=line, column="longitude", limit=LONGITUDE_LIMIT),
        source_url="",
        source_text=get("source").strip(),
        notes=get("notes").strip(),
        raw=dict(zip(names, cells, strict=True)),
        timestamp=timestamp(get("timestamp"), line=line),
    )
