"""Dates are typed as ISO 8601 (YYYY-MM-DD) everywhere, the admin's calendar included: a British
dd/mm/yyyy and an American mm/dd/yyyy reading of 03/10/2024 are two different days, so neither is
accepted. Only the input formats change; dates are still displayed in words."""

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
