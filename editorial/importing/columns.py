"""How each cell of a row is parsed and checked: the form of one row, built from the record."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from events.models import WEB_URL_SCHEMES, Actor, Country, Event, EventType
from events.record import IMPORTED, MULTI_VALUE_SEPARATOR


class Lookups:
    """Slug → row for the small reference tables, loaded once per import."""

    def __init__(self) -> None:
        self.types = {t.slug: t for t in EventType.objects.all()}
        self.countries = {c.iso2: c for c in Country.objects.all()}
        self.actors = dict(Actor.objects.values_list("slug", "pk"))


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(MULTI_VALUE_SEPARATOR.strip()) if part.strip()]


class RowChecks(forms.Form):
    """One CSV row's cells, parsed and checked field by field (the model's clean() runs after). The fields
    come from the record (RowForm below); the lookups of slugs and codes are the methods here."""

    def __init__(self, *, lookups: Lookups) -> None:
        super().__init__({})
        self.lookups = lookups

    def validate(self, data: dict[str, str]) -> bool:
        """Check one row. One form is reused for every row: building a form deep-copies its fields,
        which was a third of the import's time at 100,000 rows."""
        self.data, self._errors = data, None
        return self.is_valid()

    def clean_date(self) -> tuple[datetime.date, str | None]:
        """ISO dates; "2024-03" and "2024" are accepted too and imply their precision."""
        value = self.cleaned_data["date"].strip()
        formats = [("%Y-%m-%d", None), ("%Y-%m", Event.Precision.MONTH), ("%Y", Event.Precision.YEAR)]
        for fmt, implied in formats:
            try:
                return datetime.datetime.strptime(value, fmt).date(), implied
            except ValueError:
                continue
        raise ValidationError("Use an ISO date: 2024-03-08 (or 2024-03, or 2024).")

    def clean_event_type(self) -> EventType:
        slug = self.cleaned_data["event_type"].strip()
        try:
            return self.lookups.types[slug]
        except KeyError:
            raise ValidationError(f"No event type with the slug “{slug}”.") from None

    def clean_country(self) -> Country | None:
        code = self.cleaned_data["country"].strip().upper()
        if not code:
            return None
        try:
            return self.lookups.countries[code]
        except KeyError:
            raise ValidationError(f"No country with the ISO code “{code}”.") from None

    def _actors(self, name: str) -> frozenset[int]:
        slugs = _split(self.cleaned_data[name])
        unknown = [slug for slug in slugs if slug not in self.lookups.actors]
        if unknown:
            raise ValidationError(f"No actor with the slug {', '.join(f'“{s}”' for s in unknown)}.")
        return frozenset(self.lookups.actors[slug] for slug in slugs)

    def clean_initiators(self) -> frozenset[int]:
        return self._actors("initiators")

    def clean_targets(self) -> frozenset[int]:
        return self._actors("targets")

    def clean_responds_to(self) -> frozenset[str]:
        return frozenset(_split(self.cleaned_data["responds_to"]))

    def clean_source_urls(self) -> tuple[str, ...]:
        urls = _split(self.cleaned_data["source_urls"])
        validate = URLValidator(schemes=list(WEB_URL_SCHEMES))
        for url in urls:
            if len(url) > 500:
                raise ValidationError(f"Too long (over 500 characters): “{url[:60]}…”.")
            try:
                validate(url)
            except ValidationError:
                raise ValidationError(f"Not a web address (http:// or https://): “{url[:200]}”.") from None
        return tuple(dict.fromkeys(urls))


# A field per column the record says the import reads, parsed as the record says, in the record's order.
RowForm = type("RowForm", (RowChecks,), {f.name: f.parse() for f in IMPORTED})
