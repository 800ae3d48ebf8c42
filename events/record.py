"""The public record, described once: every column of an event as data users get it.

Each RecordField says, in one place, its name, how it is read from the database (an ORM path, or for a
list the related rows it gathers), what kind of value it is (which fixes how it is written as text, in
Python and in SQL alike), how the CSV import parses it back (a form field, and the Event field it sets),
and its documentation with an example. Generated from this list:

- the CSV export's header and cells, on the Python path and on PostgreSQL's COPY path (export.py);
- the CSV import's columns: which it reads, which it requires, how each cell is parsed (one column class
  each, editorial/importing/columns/);
- the column reference on /about/ (templates/events/_csv_columns.html).

Tests fail when one of them drifts from this description (tests/test_record.py). A new public field is
one entry here (and, if it is a list, its Many).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.db.models import Model, Q

from events.models import PUBLIC_STATUSES, Event, EventActor, EventType, Reaction, Source

MULTI_VALUE_SEPARATOR = "; "


class Kind(enum.Enum):
    """How a value is written as text (export.py gives each kind its Python and SQL rendering)."""

    NUMBER = "number"  # an integer or a decimal at its stored scale: -8.0, 54.68700; never neutralised
    TEXT = "text"  # as stored; neutralised against formula injection
    DATE = "date"  # ISO 8601, 2024-03-08
    TIMESTAMP = "timestamp"  # UTC to the second, 2024-03-08T14:05:09Z
    LIST = "list"  # several values joined by MULTI_VALUE_SEPARATOR; neutralised as one text
    EVENT_URL = "event_url"  # the event's page on this site, built from its slug


@dataclass(frozen=True)
class Many:
    """The values of a list column: `value` of the `model` rows linked to the event by `event_field`
    that match `where`, in code-point order of the value (`order="value"`) or in row id order."""

    model: type[Model]
    value: str
    where: Q = field(default_factory=Q)
    order: str = "value"
    event_field: str = "event"


@dataclass(frozen=True)
class RecordField:
    name: str
    kind: Kind
    doc: str  # HTML allowed (it is ours): the /about/ column reference
    example: str
    read: str = ""  # the ORM path from Event; empty for a list or the URL
    many: Many | None = None
    # The import: the Event field a cell sets ("" when the import ignores the column: derived, or the
    # workflow's), the form field that parses it, whether an import file must have the column, and
    # whether an empty cell keeps the event's own value (exports written before the column was added).
    sets: str = ""
    parse: Callable[[], forms.Field] | None = None
    required: bool = False
    empty_keeps: bool = False

    @property
    def imported(self) -> bool:
        return self.parse is not None


def _choices(choices) -> str:
    return ", ".join(f"<code>{value}</code>" for value, _ in choices)


def _iso_date_field() -> forms.Field:
    return forms.DateField(required=False, input_formats=["%Y-%m-%d"])


def _text(max_length: int | None = None, *, required: bool = False) -> Callable[[], forms.Field]:
    return lambda: forms.CharField(max_length=max_length, required=required)


def _decimal(name: str, *, required: bool = False) -> Callable[[], forms.Field]:
    model_field = Event._meta.get_field(name)
    return lambda: forms.DecimalField(
        max_digits=model_field.max_digits, decimal_places=model_field.decimal_places, required=required
    )


def _choice_column(name: str, meaning: str, example: str, **import_rules: bool) -> RecordField:
    """An Event field with choices, as it is: its choices listed in the doc and the only values imported."""
    choices = Event._meta.get_field(name).choices
    return RecordField(
        name,
        Kind.TEXT,
        f"{_choices(choices)}: {meaning}",
        example,
        read=name,
        sets=name,
        parse=lambda: forms.ChoiceField(choices=choices, required=False),
        **import_rules,
    )


def _max(name: str) -> int:
    return Event._meta.get_field(name).max_length


RECORD: list[RecordField] = [
    RecordField("id", Kind.NUMBER, "The event’s number in this record (an integer).", "50", read="id"),
    RecordField(
        "slug",
        Kind.TEXT,
        "Its stable name, as in its address. The import’s key: a new slug creates a draft, a known one updates it.",
        "nato-patriot-lithuania-announcement",
        read="slug",
        sets="slug",
        parse=lambda: forms.SlugField(max_length=_max("slug"), required=False),
        required=True,
    ),
    RecordField(
        "date",
        Kind.DATE,
        "When it happened, <code>YYYY-MM-DD</code>. A date known only to the month or year is its first day "
        "(see <code>date_precision</code>); the import also reads <code>2024-03</code> and <code>2024</code>.",
        "2024-03-08",
        read="date",
        sets="date",
        parse=_text(required=True),  # ISO date, month or year: the import's DateColumn
        required=True,
    ),
    _choice_column("date_precision", "how much of the date is known.", "day"),
    RecordField(
        "end_date",
        Kind.DATE,
        "For exercises and deployments that last: their last day, <code>YYYY-MM-DD</code>; empty otherwise.",
        "",
        read="end_date",
        sets="end_date",
        parse=_iso_date_field,
    ),
    RecordField(
        "title",
        Kind.TEXT,
        "The event in one line.",
        "NATO to deploy U.S.-made Patriot systems in Lithuania",
        read="title",
        sets="title",
        parse=_text(_max("title"), required=True),
        required=True,
    ),
    RecordField(
        "summary",
        Kind.TEXT,
        "What happened, in a few sentences (may hold line breaks).",
        "NATO announced …",
        read="summary",
        sets="summary",
        parse=_text(required=True),
        required=True,
    ),
    RecordField(
        "event_type",
        Kind.TEXT,
        "The slug of its type in the taxonomy, e.g. <code>official-warning</code>.",
        "force-deployment",
        read="event_type__slug",
        sets="event_type",
        parse=_text(required=True),  # a slug of the taxonomy: looked up by the import's column
        required=True,
    ),
    RecordField(
        "category",
        Kind.TEXT,
        f"The type’s category: {_choices(EventType.Category.choices)}.",
        "military_posture",
        read="event_type__category",
    ),
    RecordField(
        "escalation",
        Kind.NUMBER,
        "From −10 (cooperation) to +10 (open fighting), one decimal, e.g. <code>7.0</code> or <code>-8.0</code>.",
        "6.5",
        read="escalation",
        sets="escalation",
        parse=_decimal("escalation"),
    ),
    RecordField(
        "escalation_note",
        Kind.TEXT,
        "Why the escalation differs from the type’s default; empty when it does not.",
        "",
        read="escalation_note",
        sets="escalation_note",
        parse=_text(),
        empty_keeps=True,
    ),
    _choice_column(
        "verification",
        "confirmed means by a source other than the actor’s own statement.",
        "confirmed",
        empty_keeps=True,
    ),
    RecordField(
        "initiators",
        Kind.LIST,
        "The slugs of the actors who acted, in alphabetical order, separated by “<code>; </code>”.",
        "nato; united-states",
        many=Many(EventActor, "actor__slug", Q(role=EventActor.Role.INITIATOR)),
        parse=_text(),  # slugs of actors: the import's ActorsColumn
    ),
    RecordField(
        "targets",
        Kind.LIST,
        "The slugs of the actors it was aimed at, the same way; often empty.",
        "russia",
        many=Many(EventActor, "actor__slug", Q(role=EventActor.Role.TARGET)),
        parse=_text(),
    ),
    RecordField(
        "country",
        Kind.TEXT,
        "Where it happened: the ISO 3166-1 alpha-2 code, e.g. <code>LT</code>; empty if nowhere in particular.",
        "LT",
        read="location_country__iso2",
        sets="location_country",
        parse=_text(),  # an ISO code: the import's CountryColumn
    ),
    RecordField(
        "location",
        Kind.TEXT,
        "The place, in words.",
        "Vilnius",
        read="location_name",
        sets="location_name",
        parse=_text(_max("location_name")),
    ),
    RecordField(
        "latitude",
        Kind.NUMBER,
        "Decimal degrees, five decimals; empty when the place has no coordinates.",
        "54.68700",
        read="latitude",
        sets="latitude",
        parse=_decimal("latitude"),
    ),
    RecordField(
        "longitude",
        Kind.NUMBER,
        "Decimal degrees, five decimals; empty with <code>latitude</code>.",
        "25.27900",
        read="longitude",
        sets="longitude",
        parse=_decimal("longitude"),
    ),
    RecordField(
        "responds_to",
        Kind.LIST,
        "The slugs of the published events this one reacts to, in alphabetical order, separated by “<code>; </code>”.",
        "",
        many=Many(Reaction, "responds_to__slug", Q(responds_to__status__in=PUBLIC_STATUSES)),
        parse=_text(),  # slugs of events in the file or the record: checked after pass 1
    ),
    RecordField(
        "source_urls",
        Kind.LIST,
        "The addresses of its sources, in the order they were recorded, separated by “<code>; </code>” (a "
        "printed or broadcast source without an address is left out; the event page lists every source).",
        "https://www.lrt.lt/en/news-in-english/19/2214399",
        many=Many(Source, "url", ~Q(url=""), order="id"),
        parse=_text(),  # URLs: the import's SourceUrlsColumn
    ),
    RecordField(
        "made_from",
        Kind.TEXT,
        "The machine-coded datasets and their ids the event was made from or merged with in the editors' inbox "
        "(GDELT 2.0's <code>GLOBALEVENTID</code>, ACLED's <code>event_id_cnty</code>), by dataset, separated by "
        "“<code>; </code>”; empty for an event entered by hand.",
        "ACLED LTU1234; GDELT 2.0 1187654321",
        read="made_from",
    ),
    RecordField(
        "status",
        Kind.TEXT,
        "<code>published</code>, or <code>retracted</code> when the record was withdrawn.",
        "published",
        read="status",
    ),
    RecordField(
        "retraction_note",
        Kind.TEXT,
        "Why it was retracted; empty for a published event.",
        "",
        read="retraction_note",
    ),
    RecordField(
        "updated_at",
        Kind.TIMESTAMP,
        "When the record last changed, in UTC to the second: <code>2024-03-08T14:05:09Z</code>.",
        "2024-03-08T14:05:09Z",
        read="updated_at",
    ),
    RecordField("url", Kind.EVENT_URL, "The event’s page on this site.", "https://…/events/…/"),
]

NAMES: list[str] = [f.name for f in RECORD]
LISTS: list[RecordField] = [f for f in RECORD if f.many]  # several values, gathered from linked rows
NUMERIC_COLUMNS = frozenset(f.name for f in RECORD if f.kind is Kind.NUMBER)
IMPORTED: list[RecordField] = [f for f in RECORD if f.imported]
REQUIRED_COLUMNS: list[str] = [f.name for f in RECORD if f.required]
