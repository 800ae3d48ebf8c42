"""GDELT 2.0 Event files: tab-separated, no header, no quoting, the 61 columns of the Event codebook V2.0.

Where it happened is ActionGeo_CountryCode, a FIPS 10-4 country code (not ISO): FIPS_BY_ISO2 gives the
FIPS code of the countries a region may hold. Actors are CAMEO codes (Actor1Code, Actor2Code), the
action a CAMEO event code (EventCode) with its root (EventRootCode); the date is Day (YYYYMMDD).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from events.models.event import LATITUDE_LIMIT, LONGITUDE_LIMIT
from inbox.datasets import OUTSIDE_REGION, BadFile, Row, coordinate, web_url
from inbox.models import Candidate, Dataset

# The Event table's columns, in order (GDELT Event Codebook V2.0).
COLUMNS: tuple[str, ...] = (
    "GlobalEventID", "Day", "MonthYear", "Year", "FractionDate",
    *(
        f"Actor{n}{name}"
        for n in (1, 2)
        for name in (
            "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
            "Type1Code", "Type2Code", "Type3Code",
        )
    ),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(
        f"{geo}Geo_{name}"
        for geo in ("Actor1", "Actor2", "Action")
        for name in ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
    ),
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
INDEX = {name: n for n, name in enumerate(COLUMNS)}

# FIPS 10-4 codes (the CIA World Factbook's appendix D) of the countries of the Baltic record and its
# neighbours, by ISO 3166-1 code. A region holding a country missing here is refused by `ingest gdelt`.
FIPS_BY_ISO2 = {
    "BY": "BO", "DE": "GM", "DK": "DA", "EE": "EN", "FI": "FI", "GB": "UK", "LT": "LH", "LV": "LG",
    "NO": "NO", "PL": "PL", "RU": "RS", "SE": "SW", "UA": "UP", "US": "US",
}  # fmt: skip
ISO2_BY_FIPS = {fips: iso2 for iso2, fips in FIPS_BY_ISO2.items()}
OTHER_ROOT = "not among the CAMEO roots asked for"


def day(value: str, *, line: int) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise BadFile(line, f"Day {value!r} is not a date (YYYYMMDD).") from None


def rows(lines: Iterable[tuple[int, str]], *, countries: frozenset[str], roots: frozenset[str]) -> Iterator[Row | str]:
    """The Rows of a GDELT 2.0 Event file, from its (line number, text) pairs: each row that happened in
    one of these countries (ISO codes) and has one of these CAMEO roots (any, if none given); for each
    other row, why it is skipped. A row is checked whole (its column count) before it is skipped."""
    expected = len(COLUMNS)
    fips = {FIPS_BY_ISO2[iso2] for iso2 in countries}
    where, root = INDEX["ActionGeo_CountryCode"], INDEX["EventRootCode"]
    for number, text in lines:
        cells = text.rstrip("\r\n").split("\t")
        if len(cells) != expected:
            raise BadFile(number, f"{len(cells)} columns where a GDELT 2.0 Event row has {expected} (tab-separated).")
        if cells[where] not in fips:
            yield OUTSIDE_REGION
            continue
        if roots and cells[root] not in roots:
            yield OTHER_ROOT
            continue
        get = cells.__getitem__
        url = get(INDEX["SOURCEURL"])
        yield Row(
            line=number,
            dataset=Dataset.GDELT,
            dataset_id=get(INDEX["GlobalEventID"]),
            date=day(get(INDEX["Day"]), line=number),
            date_precision=Candidate.Precision.DAY,
            actor1_code=get(INDEX["Actor1Code"]),
            actor1_name=get(INDEX["Actor1Name"]),
            actor2_code=get(INDEX["Actor2Code"]),
            actor2_name=get(INDEX["Actor2Name"]),
            event_code=get(INDEX["EventCode"]),
            cameo_root=get(INDEX["EventRootCode"]),
            acled_types=("", ""),
            country_iso2=ISO2_BY_FIPS.get(get(INDEX["ActionGeo_CountryCode"]), ""),
            place=get(INDEX["ActionGeo_FullName"]),
            latitude=coordinate(get(INDEX["ActionGeo_Lat"]), line=number, column="ActionGeo_Lat", limit=LATITUDE_LIMIT),
            longitude=coordinate(
                get(INDEX["ActionGeo_Long"]), line=number, column="ActionGeo_Long", limit=LONGITUDE_LIMIT
            ),
            source_url=web_url(url),
            source_text="" if web_url(url) else url,
            notes="",
            raw=dict(zip(COLUMNS, cells, strict=True)),
        )
