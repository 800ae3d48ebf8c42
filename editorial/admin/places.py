"""A place's coordinates from the gazetteer shipped with the app (editorial.gazetteer).

The event form's place name carries the address of a staff-only JSON endpoint here; as the editor types,
static/admin/events/place_suggestions.js lists the places it answers (name, country, coordinates), and
the one the editor picks fills the latitude and longitude (and the country, when the form has none yet
and the record knows it). An unknown name answers no place, and nothing is filled.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse

from editorial import gazetteer
from events import text
from events.models import Country

PLACE_SUGGESTIONS_JS = "admin/events/place_suggestions.js"
PLACES_URL_NAME = "events_event_places"


def name_problem(name: str) -> str:
    """What is wrong with a place name asked about, if anything (the endpoint's 400)."""
    if not text.is_single_line_clean(name):
        return "A place name is one line of text, without control characters."
    if len(name) > gazetteer.MAX_QUERY_LENGTH:
        return f"A place name has at most {gazetteer.MAX_QUERY_LENGTH} characters."
    if len(gazetteer.folded(name)) < gazetteer.MIN_QUERY_LENGTH:
        return f"Type at least {gazetteer.MIN_QUERY_LENGTH} letters of the place's name."
    return ""


def place_json(place: gazetteer.Place, record_countries: dict[str, int]) -> dict[str, Any]:
    return {
        "name": place.name,
        "country": place.country,
        "country_code": place.country_code,
        # The record's own Country, when it has this one: the form's country can be set to it.
        "country_id": record_countries.get(place.country_code),
        "latitude": str(place.latitude),
        "longitude": str(place.longitude),
    }


class PlaceSuggestionsAdmin:
    """The event admin's gazetteer endpoint: mixed in before the ModelAdmin it extends."""

    def get_urls(self):
        places = path("places/", self.admin_site.admin_view(self.places_view), name=PLACES_URL_NAME)
        return [places, *super().get_urls()]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "location_name":
            formfield.widget.attrs.update(
                {"data-places-url": reverse(f"admin:{PLACES_URL_NAME}"), "autocomplete": "off"}
            )
        return formfield

    def places_view(self, request: HttpRequest) -> JsonResponse:
        """?name=… → {"places": [...]}, at most gazetteer.MAX_SUGGESTIONS, the record's countries first."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        name = request.GET.get("name", "")
        if problem := name_problem(name):
            return JsonResponse({"error": problem}, status=400)
        record_countries = dict(Country.objects.values_list("iso2", "pk"))
        places = gazetteer.suggest(name, countries=record_countries.keys())
        return JsonResponse({"places": [place_json(place, record_countries) for place in places]})
