"""The OpenAPI schema says everything the API answers, so that a generated client or a fuzzer (schemathesis,
tests/test_api_schema_conformance.py) holds no surprise:

- every status an operation can return, each with its body: 400 (a field → its messages), 404, 406 and 429
  (`detail`), 304 for the conditional views, with the ETag, Last-Modified and Retry-After headers and the
  If-None-Match / If-Modified-Since request headers;
- the timeline's filter on every view that filters (the index and the exports too, not only the lists),
  each parameter derived from the one EventFilter with what its form field accepts: choices, bounds,
  lengths, one clean line of text. What OpenAPI cannot say (a slug must name a row; a pair of fields must
  agree) is said in words, and the 400 it costs is documented.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django_filters import filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.settings import api_settings

from events.text import FORBIDDEN_IN_LINE

from .versioning import is_conditional


def _one_line_pattern() -> str:
    """A regular expression for "no character FORBIDDEN_IN_LINE forbids", found by asking it of each character
    of the Basic Multilingual Plane (where all it forbids lies) but the surrogates, which no URL carries (UTF-8
    cannot encode them). Written with escapes only: ECMA and Python regexes read them alike."""
    forbidden = [c for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF and FORBIDDEN_IN_LINE.match(chr(c))]
    runs: list[list[int]] = []
    for code in forbidden:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])

    def escaped(code: int) -> str:
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return "^[^" + "".join(escaped(a) + (f"-{escaped(b)}" if b > a else "") for a, b in runs) + "]*$"


ONE_LINE = _one_line_pattern()

ERROR_FIELDS = {
    "type": "object",
    "description": "Each refused query parameter (or `non_field_errors`) with its messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
DETAIL = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}

BAD_REQUEST = OpenApiResponse(
    ERROR_FIELDS,
    description="A parameter that cannot be used (out of bounds, not a choice, a slug that names nothing, a "
    "cursor that is not one of ours, or two parameters that disagree): nothing is answered but the reasons.",
)
NOT_FOUND = OpenApiResponse(DETAIL, description="No such public event (or format).")
THROTTLED = OpenApiResponse(
    DETAIL, description="Too many requests from this address (API_THROTTLE_RATE): wait `Retry-After` seconds."
)
NOT_ACCEPTABLE = OpenApiResponse(
    DETAIL, description="The request's Accept allows none of the media types this operation answers in."
)
NOT_MODIFIED = OpenApiResponse(
    None,
    description="Not Modified: the answer is still the one the client holds (its If-None-Match names the "
    "current ETag, or nothing changed since its If-Modified-Since). No body.",
)

VALIDATORS = [200, 304]
CONDITIONAL_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The ETag of the answer the client holds: 304 while it is still the answer.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        str,
        OpenApiParameter.HEADER,
        description="An HTTP date (the Last-Modified the client holds): 304 if the record has not changed since.",
    ),
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=VALIDATORS,
        required=True,
        description="This answer's version: it changes with the record (any public change) and the URL.",
    ),
    OpenApiParameter(
        "Last-Modified",
        str,
        OpenApiParameter.HEADER,
        response=VALIDATORS,
        required=True,
        description="When the record last changed (an HTTP date).",
    ),
]
RETRY_AFTER = OpenApiParameter(
    "Retry-After", int, OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
)

# What OpenAPI cannot say about the filter's parameters (EventFilterForm.clean's rules, and that a slug must
# name a row of the record); each is a 400 naming the parameter.
FILTER_NOTES = {
    "actor": "Slugs of actors (/api/actors/); one that names no actor is a 400.",
    "role": "The role of the actors chosen by `actor`: with `actor` only (a role alone is a 400: "
    "choose an actor for this role).",
    "type": "Slugs of event types (/api/types/); one that names no type is a 400.",
    "region": "The slug of a region (/api/regions/); one that names no region is a 400.",
    "country": "A country's slug or ISO code, any case (/api/countries/); one that names none is a 400.",
    "date_to": "Not before `date_from` (a 400 otherwise).",
    "escalation_max": "Not below `escalation_min` (a 400 otherwise).",
    "reactions_only": "Only events that react to another public event: `true` (any value but empty or `false` is on).",
    "include_retracted": "Retracted events too, with their note: `true` (any value but empty or `false` is on).",
    "include_disputed": "Weigh disputed events in the tension index too (by default they weigh 0): `true`. It "
    "narrows no list: the events are the same with or without it.",
}


class EventFilterParameters(DjangoFilterExtension):
    """drf-spectacular's reading of a django-filter FilterSet, completed from each filter's form field:
    the bounds of a number, the length of a text, that every text is one clean line (a control character
    is a 400), that a reference is a slug. drf-spectacular registers it, ahead of its own, when this module is
    imported (api/views.py, for ApiSchema)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field) -> list[dict]:
        field = filter_field.field
        if isinstance(filter_field, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
            # A slug (a column of the related table), not a choice listed here: the rows are the record's.
            many = isinstance(filter_field, filters.ModelMultipleChoiceFilter)
            item = {"type": "string", "pattern": ONE_LINE}
            if many:
                # An empty item names no row (a 400); an empty single value is no filter (allowEmptyValue).
                item["minLength"] = 1
            parameters = [
                build_parameter_type(
                    name=field_name,
                    schema={"type": "array", "items": item} if many else item,
                    location=OpenApiParameter.QUERY,
                    description=filter_field.label,
                    explode=True if many else None,
                    style="form" if many else None,
                )
            ]
        else:
            parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") != "array":
                # An empty value is no filter: the page's form sends its fields, most of them empty (a list
                # of checkboxes sends nothing when none is ticked).
                parameter["allowEmptyValue"] = True
            if isinstance(field, forms.DecimalField):
                schema.update(_number_bounds(field))
            elif isinstance(field, forms.NullBooleanField):
                # A checkbox's value: any value but empty or `false` is on (the page sends `on`).
                schema.clear()
                schema["anyOf"] = [{"type": "boolean"}, {"type": "string", "pattern": ONE_LINE}]
            elif schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
                schema["pattern"] = ONE_LINE
                if getattr(field, "max_length", None):
                    schema["maxLength"] = field.max_length
            # The filter's label (a form field's help speaks of the page's controls), its note, its choices.
            _, _, choices = parameter.get("description", "").partition("\n\n")
            note = FILTER_NOTES.get(parameter["name"])
            description = f"{filter_field.label}. {note}" if note else str(filter_field.label)
            parameter["description"] = description + (f"\n\n{choices}" if choices else "")
        return parameters


def _number_bounds(field: forms.DecimalField) -> dict[str, Any]:
    bounds: dict[str, Any] = {"type": "number"}
    if field.min_value is not None:
        bounds["minimum"] = float(field.min_value)
    if field.max_value is not None:
        bounds["maximum"] = float(field.max_value)
    if field.decimal_places is not None:
        bounds["multipleOf"] = 10.0**-field.decimal_places
    return bounds


class ApiSchema(AutoSchema):
    """Each operation with every status it can answer, read from the view: 304 when it is conditional
    (api/versioning.py), 400 when it takes query parameters, 404 when it looks a row up or offers formats,
    406 always (an Accept it cannot meet), 429 when it is throttled."""

    def get_filter_backends(self) -> list:
        # The filter is documented wherever it applies (the index and the exports are not lists).
        return getattr(self.view, "filter_backends", [])

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if is_conditional(self.view):
            parameters += CONDITIONAL_HEADERS
        if self.view.get_throttles():
            parameters.append(RETRY_AFTER)
        return parameters

    def get_response_serializers(self) -> Any:
        declared = super().get_response_serializers()
        answers = dict(declared) if isinstance(declared, dict) else {200: declared}
        if is_conditional(self.view):
            answers[304] = NOT_MODIFIED
        if self._takes_query():
            answers[400] = BAD_REQUEST
        if "{" in self.path or self._offers_formats():
            answers[404] = NOT_FOUND
        answers[406] = NOT_ACCEPTABLE  # DRF's content negotiation, before the view
        if self.view.get_throttles():
            answers[429] = THROTTLED
        return answers

    def _takes_query(self) -> bool:
        declared = [
            p
            for p in self.get_override_parameters()
            if isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
        ]
        paginated = getattr(self.view, "pagination_class", None) is not None
        return bool(declared or self.get_filter_backends() or paginated or self._offers_formats())

    def _offers_formats(self) -> bool:
        # drf-spectacular then documents `format`; DRF answers any other value with a 404.
        return bool(api_settings.URL_FORMAT_OVERRIDE) and len(self.map_renderers("format")) > 1
