"""A chart's figure in the page (events/templatetags/figures.py): exactly what Django's json_script writes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.html import json_script

from readers.templatetags.figures import figure_json

HOSTILE = {
    "data": [
        {
            "name": "</script><script>alert(1)</script>",
            "customdata": [["&amp; <b>bold</b> > 'quoted' \"double\"", "\u2028 line separator", "émigré ✓"]],
            "x": [datetime.date(2024, 3, 8), None],
            "y": [Decimal("7.5"), 1.25],
        }
    ],
    "layout": {"title": {"text": "a & b <c>"}},
}


@pytest.mark.parametrize("value", [HOSTILE, [], {"months": ["2024-03", "2024-04"]}, "plain </script>"])
def test_the_figure_is_written_as_json_script_writes_it(value):
    assert figure_json(value, "timeline-figure") == json_script(value, "timeline-figure")


def test_nothing_in_the_figure_can_close_its_script_element():
    html = Template('{% load figures %}{{ figure|figure_json:"f" }}').render(Context({"figure": HOSTILE}))
    assert html.count("</script>") == 1 and html.endswith("</script>")
    assert "<script>" not in html and "&amp;" not in html.removeprefix("<script")
