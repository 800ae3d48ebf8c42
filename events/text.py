"""Text that every output can carry: no control characters, except tab and line breaks in text that has lines.

A control character (a NUL, a bell, an escape…) in a title breaks the Atom feed (XML 1.0 cannot carry
it), a NUL cannot be stored by PostgreSQL at all, and none of them means anything to a reader. So:
- every write path refuses them (`validate_line`, `validate_text`, run for every text field of a model
  by `RefusesControlCharacters.clean_fields`, which admin forms and the import both call);
- every query value with one is a form error (events/filters.py), before it reaches a parser or SQL;
- outputs that must stay well-formed whatever the database holds (rows written before this rule, or
  by SQL) pass their text through `printable`.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

# C0 controls, DEL, C1 controls, lone surrogates (not encodable as UTF-8) and U+FFFE/U+FFFF (not XML).
_NOT_TEXT = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
# In text that has lines (a summary, a note), tab, line feed and carriage return are allowed.
FORBIDDEN_IN_TEXT = re.compile(f"[{_NOT_TEXT}]")
# In one line (a title, a name, a query value) they are not.
FORBIDDEN_IN_LINE = re.compile(f"[{_NOT_TEXT}\t\n\r]")
REPLACEMENT = "\ufffd"


def control_character_message(value: str, match: re.Match) -> str:
    return (
        f"Remove the control character U+{ord(match.group()):04X} at character {match.start() + 1}: "
        "text may not hold invisible control codes"
        + (" (tabs and line breaks are allowed only in multi-line text)." if match.group() in "\t\n\r" else ".")
    )


def _validate(value: Any, pattern: re.Pattern) -> None:
    if isinstance(value, str):
        match = pattern.search(value)
        if match:
            raise ValidationError(control_character_message(value, match), code="control_character")


def validate_line(value: Any) -> None:
    """One line of text: no control character at all."""
    _validate(value, FORBIDDEN_IN_LINE)


def validate_text(value: Any) -> None:
    """Text with lines: tab and line breaks allowed, no other control character."""
    _validate(value, FORBIDDEN_IN_TEXT)


def is_single_line_clean(value: str) -> bool:
    return FORBIDDEN_IN_LINE.search(value) is None


def unreadable_query_names(query: Any) -> list[str]:
    """The names of a QueryDict whose name or any value is not one clean line (NUL, controls)."""
    return [
        name
        for name, values in query.lists()
        if not is_single_line_clean(name) or not all(is_single_line_clean(value) for value in values)
    ]


def printable(value: str | None) -> str:
    """For outputs that must stay well-formed whatever is stored: each forbidden character → U+FFFD."""
    return FORBIDDEN_IN_TEXT.sub(REPLACEMENT, value or "")


class RefusesControlCharacters:
    """Model mixin: every CharField is one line and every TextField is text (see above), checked in
    clean_fields, which ModelForms (the admin) and the CSV import run through full_clean()."""

    def clean_fields(self, exclude: Any = None) -> None:
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            check = validate_text if isinstance(field, models.TextField) else validate_line
            if isinstance(field, (models.CharField, models.TextField)):
                try:
                    check(getattr(self, field.attname))
                except ValidationError as exc:
                    errors.setdefault(field.name, []).extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
