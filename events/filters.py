"""The one FilterSet behind the timeline, its table, the CSV export and the feed.

The query-string names are a public contract (shared links must keep working): date_from, date_to,
region, country, actor, role, type, category, escalation_min, escalation_max, verification, q,
reactions_only, include_retracted, include_disputed, sort. `page` belongs to the views.

`include_disputed` narrows nothing: it says how the tension index weighs the events shown
(events/tension.py, Weighting), so every output of the filter (page, embed, API, CSV) weighs them alike.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from events.models import ESCALATION_MAX, ESCALATION_MIN, Actor, Country, Event, EventActor, EventType, Region
from events.tension import Weighting
from events.text import is_single_line_clean, unreadable_query_names

SORTS = {
    "-date": ("Newest first", ("-date", "-id")),
    "date": ("Oldest first", ("date", "id")),
    "-escalation": ("Most escalating first", ("-escalation", "-date", "-id")),
    "escalation": ("Least escalating first", ("escalation", "-date", "-id")),
    "title": ("Title A–Z", ("title", "id")),
}
DEFAULT_SORT = "-date"
QUERY_MAX_LENGTH = 200


def sort_order(sort: str | None) -> tuple[str, ...]:
    """The ORDER BY of a `sort` value (the default when empty), always ending with the unique id: the
    filter orders by it, and the views that must know the order (the API's pages, the CSV's COPY) ask here."""
    return SORTS[sort or DEFAULT_SORT][1]


class CountryField(forms.ModelChoiceField):
    """A country by its slug or by its ISO code, in any case: `lithuania`, `LT` and `lt` alike."""

    @staticmethod
    def find(code: str) -> Country | None:
        return Country.objects.filter(Q(slug__iexact=code) | Q(iso2__iexact=code)).first()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        country = self.find(value)
        if country is None:
            # The value goes in as a parameter: a message is %-formatted later (django-filter's 400), and the
            # value may hold a %.
            raise forms.ValidationError(
                "Unknown country “%(value)s”: use a name like lithuania or a code like LT.",
                params={"value": value[:40]},
            )
        return country

    def prepare_value(self, value):
        # A link written with the ISO code (`country=LT`) still shows its country chosen in the select.
        if isinstance(value, str) and value.strip():
            country = self.find(value.strip())
            return country.slug if country else value
        return super().prepare_value(value)


class CountryFilter(django_filters.ModelChoiceFilter):
    field_class = CountryField


class EventFilterForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A NUL or other control character in a query value is an error, and the value never reaches a
        # field's parser or the database (PostgreSQL refuses NUL in a query: it would be a 500).
        self.unreadable: list[str] = []
        if self.is_bound and hasattr(self.data, "lists"):
            self.unreadable = unreadable_query_names(self.data)
            data = self.data.copy()
            for name in self.unreadable:
                data.pop(name)
            self.data = data

    def clean(self):
        data = super().clean()
        for name in self.unreadable:
            self.add_error(
                name if name in self.fields else None,
                forms.ValidationError(
                    "The value of “%(name)s” holds a control character (such as NUL): remove it.",
                    params={"name": name if is_single_line_clean(name) else "?"},
                ),
            )
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the period is before its start.")
        low, high = data.get("escalation_min"), data.get("escalation_max")
        if low is not None and high is not None and low > high:
            self.add_error("escalation_max", "The maximum escalation is below the minimum.")
        if data.get("role") and not data.get("actor"):
            self.add_error("role", "Choose an actor for this role.")
        return data


def _escalation_field_kwargs() -> dict:
    return {"min_value": ESCALATION_MIN, "max_value": ESCALATION_MAX, "max_digits": 3, "decimal_places": 1}


def slug_checkboxes(*, label: str, queryset: QuerySet, method: str) -> django_filters.ModelMultipleChoiceFilter:
    """A checkbox list, not a <select multiple>: usable without Ctrl/Shift, each ticked box the same repeated
    query name with the row's slug (`actor=lithuania&actor=russia`)."""
    return django_filters.ModelMultipleChoiceFilter(
        label=label, queryset=queryset, to_field_name="slug", method=method, widget=forms.CheckboxSelectMultiple
    )


class EventFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label="From", method="filter_period", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="To", method="filter_period", widget=forms.DateInput(attrs={"type": "date"})
    )
    region = django_filters.ModelChoiceFilter(
        label="Region",
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        empty_label="Any region",
    )
    # The select submits the slug (`country=lithuania`), the form the URL contract already accepts.
    country = CountryFilter(
        label="Country",
        queryset=Country.objects.all(),
        to_field_name="slug",
        field_name="location_country",
        empty_label="Any country",
    )
    actor = slug_checkboxes(label="Actors", queryset=Actor.objects.all(), method="filter_actor")
    role = django_filters.ChoiceFilter(
        label="Role of the actor",
        choices=EventActor.Role.choices,
        method="filter_actor",
        empty_label="Any role",
        help_text="With the actors ticked above: the events where they have this role. Tick an actor first.",
    )
    type = slug_checkboxes(label="Event types", queryset=EventType.objects.all(), method="filter_types")
    category = django_filters.ChoiceFilter(
        label="Category",
        choices=EventType.Category.choices,
        field_name="event_type__category",
        empty_label="Any category",
    )
    escalation_min = django_filters.NumberFilter(
        label="Escalation from", field_name="escalation", lookup_expr="gte", **_escalation_field_kwargs()
    )
    escalation_max = django_filters.NumberFilter(
        label="Escalation to", field_name="escalation", lookup_expr="lte", **_escalation_field_kwargs()
    )
    verification = django_filters.ChoiceFilter(
        label="Verification", choices=Event.Verification.choices, empty_label="Any"
    )
    q = django_filters.CharFilter(label="Text", method="filter_text", max_length=QUERY_MAX_LENGTH)
    reactions_only = django_filters.BooleanFilter(
        label="Reactions only", method="filter_reactions_only", widget=forms.CheckboxInput
    )
    include_retracted = django_filters.BooleanFilter(
        label="Include retracted events", method="keep", widget=forms.CheckboxInput
    )
    include_disputed = django_filters.BooleanFilter(
        label="Count disputed claims too", method="keep", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label="Sort", choices=[(key, label) for key, (label, _) in SORTS.items()], method="keep", empty_label=None
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    def filter_period(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Both bounds together: Event.objects.between() treats the window as one span.
        if name == "date_from":
            return queryset.between(start=value)
        return queryset.between(end=value)

    def filter_region(self, queryset: QuerySet, name: str, value: Region) -> QuerySet:
        return queryset.in_region(value) if value else queryset

    def filter_actor(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # actor and role act as one filter; it runs once, on the `actor` call.
        if name != "actor" or not value:
            return queryset
        return queryset.involving(value, role=self.form.cleaned_data.get("role") or None)

    def filter_types(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.of_types(value) if value else queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value) if value else queryset

    def filter_reactions_only(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        # Only links to public events count: a reaction to a draft must not betray that the draft exists.
        return queryset.reactions(to_public_only=True) if value else queryset

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("include_retracted"):
            queryset = queryset.exclude(status=Event.Status.RETRACTED)
        return queryset.order_by(*sort_order(data.get("sort")))

    def weighting(self) -> Weighting:
        """How the tension index of this view weighs its events (an invalid filter: the default rule)."""
        if not (self.is_bound and self.is_valid()):
            return Weighting()
        return Weighting(include_disputed=bool(self.form.cleaned_data.get("include_disputed")))

    @property
    def qs(self) -> QuerySet:
        # An invalid filter gives no events and an error beside its field: never a silently broader view.
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs


def describe(filterset: EventFilter) -> list[str]:
    """The filters in force, in words, for the one-line summary above the timeline (and for any
    other view of the same filter, such as a feed's title). Empty when nothing narrows the view."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    data = filterset.form.cleaned_data
    parts: list[str] = []
    start, end = data.get("date_from"), data.get("date_to")
    if start or end:
        parts.append(f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}")
    for name in ("region", "country"):
        if data.get(name):
            parts.append(str(data[name]))
    if data.get("actor"):
        actors = ", ".join(actor.name for actor in data["actor"])
        role = data.get("role")
        parts.append(f"{actors} as {dict(EventActor.Role.choices)[role].lower()}" if role else actors)
    if data.get("type"):
        parts.append(", ".join(event_type.name.lower() for event_type in data["type"]))
    if data.get("category"):
        parts.append(dict(EventType.Category.choices)[data["category"]].lower())
    low, high = data.get("escalation_min"), data.get("escalation_max")
    if low is not None or high is not None:
        parts.append(f"escalation {low if low is not None else '−10'} to {high if high is not None else '10'}")
    if data.get("verification"):
        parts.append(dict(Event.Verification.choices)[data["verification"]].lower() + " only")
    if data.get("q"):
        parts.append(f"“{data['q']}”")
    if data.get("reactions_only"):
        parts.append("reactions only")
    if data.get("include_retracted"):
        parts.append("including retracted")
    if data.get("include_disputed"):
        parts.append("disputed claims counted in the index")
    return parts
