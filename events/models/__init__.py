"""The record's models, one module per concern; every name the rest of the code uses is importable from here."""

from events.models.base import ESCALATION_MAX, ESCALATION_MIN, WEB_URL_SCHEMES, EditConflict, Stamped, accepted_dates
from events.models.duplicates import NotDuplicate
from events.models.event import PUBLIC_STATUSES, Event, base_slug, event_path_parts, format_date, unique_slug
from events.models.parts import BASIS_JUDGEMENT, BASIS_SOURCE, EventActor, Reaction, Source
from events.models.querysets import EventQuerySet, ReactionQuerySet
from events.models.totals import (
    ESCALATION_DECIMALS,
    ESCALATION_TENTHS,
    NO_COUNTRY,
    DailyTotal,
    DailyTypeTotal,
    DataVersion,
    DayTotals,
    ExportLists,
    LatestChange,
    RegionCountries,
)
from events.models.vocabulary import Actor, Country, EventType, Region

__all__ = [
    "BASIS_JUDGEMENT",
    "BASIS_SOURCE",
    "ESCALATION_DECIMALS",
    "ESCALATION_MAX",
    "ESCALATION_MIN",
    "ESCALATION_TENTHS",
    "NO_COUNTRY",
    "PUBLIC_STATUSES",
    "WEB_URL_SCHEMES",
    "Actor",
    "Country",
    "DailyTotal",
    "DailyTypeTotal",
    "DataVersion",
    "DayTotals",
    "EditConflict",
    "Event",
    "EventActor",
    "EventQuerySet",
    "EventType",
    "ExportLists",
    "LatestChange",
    "NotDuplicate",
    "Reaction",
    "ReactionQuerySet",
    "Region",
    "RegionCountries",
    "Source",
    "Stamped",
    "accepted_dates",
    "base_slug",
    "event_path_parts",
    "format_date",
    "unique_slug",
]
