"""The JSON of the event list and the change feed, written by orjson: DRF's JSONRenderer's output byte for
byte (tests/test_api_renderers.py and tests/test_api_representation.py compare them), at a small part of
its cost (docs/benchmarks.md, API).

orjson and the standard library's encoder (DRF's) write every value alike but two:
- a float that Python writes with an exponent (1e-05; orjson 0.00001), and NaN or an infinity (an error
  for DRF's strict JSON, null for orjson). json_number() hands those few over as PythonFloat, which orjson
  passes to `default` here, to be written as Python writes it or refused as DRF refuses it: every float of
  a page goes through it (representation.number(), and a Decimal here);
- U+2028 and U+2029, which DRF escapes for JavaScript, as here.
What orjson refuses (a string with a lone surrogate, an integer past 64 bits, a key that is not a string)
and an indented answer (`Accept: application/json; indent=4`) go to DRF's renderer, as before."""

from __future__ import annotations

import math
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer

# The range in which Python writes a float without an exponent, as orjson does: [1e-4, 1e16).
PLAIN_FLOATS = (1e-4, 1e16)
SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class PythonFloat(float):
    """A float to be written as Python's json writes it (orjson hands a float subclass to `default`)."""


def json_number(value: float) -> float:
    """`value`, as a PythonFloat where orjson would write it otherwise than Python's json."""
    low, high = PLAIN_FLOATS
    return value if value == 0 or low <= abs(value) < high else PythonFloat(value)


class RowsJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or self.ensure_ascii or not (self.compact and self.strict):
            return super().render(data, accepted_media_type, renderer_context)
        encoder = self.encoder_class()

        def default(value: Any) -> Any:
            if isinstance(value, PythonFloat):
                if not math.isfinite(value):
                    raise ValueError("Out of range float values are not JSON compliant")
                return orjson.Fragment(float.__repr__(value))
            written = encoder.default(value)  # a Decimal as a float, a date as text…
            return json_number(written) if type(written) is float else written

        try:
            text = orjson.dumps(data, default=default, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in text:
            for raw, escaped in SEPARATORS:
                text = text.replace(raw, escaped)
        return text
