"""The description of the public record for templates: the /about/ column reference is generated from it."""

from django import template

from events.record import MULTI_VALUE_SEPARATOR, NUMERIC_COLUMNS, RECORD

register = template.Library()


@register.simple_tag
def record_fields() -> list:
    return RECORD


@register.simple_tag
def record_numeric_columns() -> list[str]:
    return [f.name for f in RECORD if f.name in NUMERIC_COLUMNS]


@register.simple_tag
def record_separator() -> str:
    return MULTI_VALUE_SEPARATOR
