"""The CSV's columns, for the modules that name them: generated from the description of the record
(events/record.py), which says what each column holds, how it is written and how it is read back."""

from .record import MULTI_VALUE_SEPARATOR, NAMES

EXPORT_COLUMNS: list[str] = NAMES

__all__ = ["EXPORT_COLUMNS", "MULTI_VALUE_SEPARATOR"]
