"""Keyset ("cursor") pagination in the order the view declares (its `ordering`, as DRF's CursorPagination
reads it), which must end with the unique `id`.

The cursor holds the sort values of the last row served; the next page is the rows strictly after it in
that order. So the order is stable (an event published meanwhile never shifts a page or repeats a row),
and a page costs the same at row 900,000 as at row 0 where an index serves the order (the default
-date, -id has one). Forward only: a client keeps the `next` links it follows.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
INVALID_CURSOR = "Invalid cursor: follow the `next` link of a page of this same query."


def encode_cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> Any:
    """The payload of a cursor, or a 400 for anything that is not one of ours (never a 5xx)."""
    try:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": [INVALID_CURSOR]}) from None


def after(ordering: list[str], values: list[Any]) -> Q:
    """The rows strictly after `values` in `ordering` (e.g. ["-date", "-id"]), as a Q.

    The lexicographic comparison is spelled out (a > x, or a = x and b > y, …) and the first key's bound
    is repeated on its own (a >= x), which a (date, id) index can use as the start of its scan."""
    ands: list[Q] = []
    alternatives = Q()
    for name, value in zip(ordering, values, strict=True):
        field = name.lstrip("-")
        beyond = Q(**{f"{field}__lt" if name.startswith("-") else f"{field}__gt": value})
        alternatives |= Q(*ands, beyond) if ands else beyond
        ands.append(Q(**{field: value}))
    first = ordering[0]
    bound = Q(**{f"{first.lstrip('-')}__lte" if first.startswith("-") else f"{first.lstrip('-')}__gte": values[0]})
    return bound & alternatives


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return PAGE_SIZE
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {MAX_PAGE_SIZE}."]})
        return int(raw)

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list[Model | dict]:
        # The page applies the view's order itself: the cursor holds the values of exactly these keys.
        ordering = list(view.ordering)
        if not ordering or ordering[-1] not in ("id", "-id"):
            raise ValueError(f"keyset pagination needs an order ending with the unique id, not {ordering}")
        self.request, self.ordering = request, ordering
        page_size = self.get_page_size(request)
        queryset = queryset.order_by(*ordering)
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            queryset = queryset.filter(after(ordering, self._cursor_values(queryset.model, raw)))
        rows = list(queryset[: page_size + 1])
        self.next_values = self._values(rows[page_size - 1]) if len(rows) > page_size else None
        return rows[:page_size]

    def _values(self, row: Model | dict) -> list[Any]:
        # A row of `.values()` (the event list's) or a model instance (the reference lists').
        read = row.__getitem__ if isinstance(row, dict) else row.__getattribute__
        values = [read(name.lstrip("-")) for name in self.ordering]
        return [value if isinstance(value, int | str) else str(value) for value in values]

    def _cursor_values(self, model: type[Model], raw: str) -> list[Any]:
        payload = decode_cursor(raw)
        if not isinstance(payload, dict) or payload.get("o") != self.ordering:
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        values = payload.get("v")
        if not isinstance(values, list) or len(values) != len(self.ordering):
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        try:
            return [
                model._meta.get_field(name.lstrip("-")).to_python(v)
                for name, v in zip(self.ordering, values, strict=True)
            ]
        except (DjangoValidationError, TypeError):
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None

    def next_link(self) -> str | None:
        if self.next_values is None:
            return None
        cursor = encode_cursor({"o": self.ordering, "v": self.next_values})
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor)

    def get_paginated_response(self, data: list) -> Response:
        return Response({"next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page of the same query; null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where the page starts: take it from the `next` link of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
            },
        ]
