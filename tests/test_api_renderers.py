"""The event list's and the change feed's renderer (api/renderers.py) writes what DRF's JSONRenderer writes,
byte for byte, for every kind of value a page can hold and the edge cases where orjson alone would not:
floats Python writes with an exponent, U+2028 and U+2029, NaN, and what orjson refuses."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.utils.functional import lazy
from rest_framework.renderers import JSONRenderer

from api.renderers import PythonFloat, RowsJSONRenderer, json_number
from api.representation import number

DRF, ROWS = JSONRenderer(), RowsJSONRenderer()
FLOATS = [0.0, -0.0, 0.1, 1e-4, 9.99e-5, 1e-05, -1e-06, 5e-324, 1e15, 1e16, 1.5e17, 1.7976931348623157e308, 54.6872]
VALUES = [
    None,
    True,
    -(2**63),
    2**64 - 1,
    'Учения «Запад» near Šiauliai 🛩️ \x00\x1f\x7f \\ " / </script>',
    "lines \u2028 and \u2029 paragraphs",
    Decimal("55.93300"),
    Decimal("0.00001"),
    datetime.datetime(2024, 3, 8, 12, 30, 15, 123456, tzinfo=datetime.UTC),
    datetime.date(2024, 3, 8),
    uuid.UUID(int=7),
    lazy(lambda: "a lazy translation", str)(),
    ("a", "tuple"),
    {"nested": [{"deeper": [1, 2.5, None]}]},
]


@pytest.mark.parametrize("value", FLOATS + VALUES, ids=repr)
def test_a_value_is_written_as_drf_writes_it(value):
    """Every float of a page has gone through json_number (representation.number); a Decimal may not have."""
    written = json_number(value) if type(value) is float else value
    assert ROWS.render({"next": None, "results": [{"value": written}]}) == DRF.render(
        {"next": None, "results": [{"value": value}]}
    )


@pytest.mark.parametrize("value", FLOATS, ids=repr)
def test_the_number_of_a_decimal_field_is_written_as_drf_writes_the_decimal(value):
    decimal = Decimal(repr(value))
    assert ROWS.render({"value": number(decimal)}) == DRF.render({"value": decimal})


def test_only_floats_outside_the_plain_range_are_handed_over():
    assert [type(json_number(value)) for value in (0.0, 1e-4, 54.6872, 1e-05, 1e16)] == [
        float,
        float,
        float,
        PythonFloat,
        PythonFloat,
    ]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")], ids=repr)
def test_a_float_json_cannot_hold_is_refused_as_drf_refuses_it(value):
    with pytest.raises(ValueError, match="not JSON compliant"):
        DRF.render({"value": value})
    with pytest.raises(ValueError, match="not JSON compliant"):
        ROWS.render({"value": json_number(value)})


@pytest.mark.parametrize(
    "data", [{"big": 2**64}, {1: "a key that is not a string"}, {"surrogate": "\ud800"}], ids=["big", "key", "lone"]
)
def test_what_orjson_refuses_goes_to_drf(data):
    try:
        expected = DRF.render(data)
    except Exception as exc:
        with pytest.raises(type(exc)):
            ROWS.render(data)
    else:
        assert ROWS.render(data) == expected


def test_an_indented_answer_is_drfs():
    page = {"results": [{"a": 1}]}
    indented = "application/json; indent=4"
    assert ROWS.render(page, indented, {}) == DRF.render(page, indented, {})
    assert json.loads(ROWS.render(page, indented, {})) == page
