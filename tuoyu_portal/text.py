"""Rules for text people type and other people (or spreadsheets) later read.

- ``validate_plain_text``: names and addresses refuse control and format characters (Unicode
  categories Cc and Cf: newline, ESC, zero-width characters, the bidirectional overrides
  U+202A–202E and isolates U+2066–2069) and the line/paragraph separators — they reached the
  register, the receipt and the export, where they reorder or hide what a reader sees. One
  validator, used by the API serializers, the forms and the import rows (via the registration
  rules), all answering ``invalid_characters``.
- ``spreadsheet_cell``: every exported cell is a value, never a formula (OWASP "CSV injection").
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.exceptions import RuleViolation

FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
INVALID_CHARACTERS_MESSAGE = _("不能包含换行、控制字符或不可见的格式字符，请删除后重试。")


def has_forbidden_characters(value: str) -> bool:
    return any(unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in value)


@deconstructible
class PlainTextValidator:
    """Django validator (forms, DRF fields, model fields): ``invalid_characters``."""

    code = "invalid_characters"

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and has_forbidden_characters(value):
            raise ValidationError(INVALID_CHARACTERS_MESSAGE, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_plain_text = PlainTextValidator()


def character_violations(values: dict[str, str | None]) -> list[RuleViolation]:
    """The same rule for the services (registration rules, import rows): field → value."""
    return [
        RuleViolation("invalid_characters", INVALID_CHARACTERS_MESSAGE, field)
        for field, value in values.items()
        if value and has_forbidden_characters(value)
    ]


# A cell that starts with one of these is read as a formula by Excel, LibreOffice or WPS.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading single quote (shown as text);
    numbers, dates and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_row(row: Any) -> list[Any]:
    return [spreadsheet_cell(value) for value in row]


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``spreadsheet_cell``."""

    def __init__(self, buffer: Any, **options: Any) -> None:
        import csv

        self._writer = csv.writer(buffer, **options)

    def writerow(self, row: Any) -> Any:
        return self._writer.writerow(spreadsheet_row(row))

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)


# Maximum lengths of free text , by what the text is. Shown in the schema
# (maxLength) and answered with 400 `max_length` beyond: `business_scope` took 10 MB before.
BUSINESS_SCOPE_MAX = 2000  # a licence's 经营范围 runs to a few hundred characters
LEGAL_BASIS_MAX = 500  # a citation of articles
REASON_MAX = 1000  # a decision's reasons, a change's cause, a list of certificates
NOTE_MAX = 2000  # a note, a finding's description, a complaint's outcome
RECORD_MAX = 5000  # an inspection's record
