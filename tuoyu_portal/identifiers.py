"""Checks of 统一社会信用代码 and personal ID numbers (domain.md §8), with rule codes.

`normalise_identifier` is the one door every identifier goes through (api.md 1.1): NFKC, every
kind of space removed, upper case. Validation, hashing, storage, matching and comparison all
see its output, so a full-width or superscript form of a code is that code, and anything that is
still not plain ASCII afterwards is refused by the checks below (never a 500).
"""

from __future__ import annotations

import unicodedata
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from tuoyu_portal.exceptions import RuleViolation

# Credit-code prefixes (registration authority + entity kind) per legal nature (domain §1).
CREDIT_PREFIXES: dict[str, tuple[str, ...]] = {
    "public_institution": ("12",),
    "nonprofit": ("52",),
    "for_profit": ("91", "92"),
}

# Explicit ASCII sets: str.isdigit() also accepts full-width, superscript and Arabic-Indic digits.
ASCII_DIGITS = frozenset("0123456789")
ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
CREDIT_CODE_CHARS = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
# Zero-width characters are invisible in a form field; NFKC keeps them and str.split() ignores them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# 港澳台居民居住证: address code of 香港, 澳门, 台湾.
HMT_ADDRESS_CODES = ("810000", "820000", "830000")


class IdDocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HMT_RESIDENCE = "hmt_residence_permit", _("港澳台居民居住证")
    FOREIGN_PERMANENT = "foreign_permanent_residence", _("外国人永久居留身份证")


def normalise_identifier(value: object) -> str:
    """The canonical form of a credit code or ID number: NFKC, no spaces of any kind, upper case.

    NFKC maps full-width letters and digits and U+00B9 to ASCII and NBSP / U+3000 to spaces;
    Arabic-Indic digits stay as they are and so fail the ASCII checks.
    """
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.translate(_INVISIBLE).split()).upper()


def _ascii_digits(value: str) -> bool:
    return bool(value) and all(ch in ASCII_DIGITS for ch in value)


def clean_credit_code(value: str) -> str:
    return normalise_identifier(value)


def credit_code_valid(value: str) -> bool:
    code = normalise_identifier(value)
    if len(code) != 18 or not all(ch in CREDIT_CODE_CHARS for ch in code):
        return False
    try:
        uscc.validate(code)
    except (StdnumError, ValueError, KeyError):
        return False
    return True


def credit_code_matches_nature(value: str, legal_nature: str) -> bool:
    return normalise_identifier(value)[:2] in CREDIT_PREFIXES.get(legal_nature, ())


def _mod11_2_and_birth(value: str, birth: slice, today: date | None) -> bool:
    """GB 11643 / ISO 7064 MOD 11-2 check character and a real, not future, birth date."""
    if len(value) != 18 or not _ascii_digits(value[:17]):
        return False
    if value[17] not in ASCII_DIGITS and value[17] != "X":
        return False
    try:
        if value[17] != ric.calc_check_digit(value):
            return False
        digits = value[birth]
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except (StdnumError, ValueError):
        return False
    return born <= (today or timezone.localdate())


def id_number_valid(
    value: str, today: date | None = None, document_type: str = IdDocumentType.RESIDENT_ID
) -> bool:
    """The format check of each document type (domain.md §8).

    - 居民身份证: 18 characters, MOD 11-2, birth date real and not in the future. Not
      ric.validate(): it also rejects address codes missing from stdnum's bundled table (e.g.
      371103 岚山区), which must only be a warning (see `id_number_warnings`).
    - 港澳台居民居住证: the same layout with address code 810000 / 820000 / 830000.
    - 外国人永久居留身份证: the 2023 format (18 characters starting with 9, birth date at
      positions 7–14, MOD 11-2), or the old 15 characters: 3 letters (nationality) + 12 digits.
    """
    value = normalise_identifier(value)
    if document_type == IdDocumentType.RESIDENT_ID:
        return _mod11_2_and_birth(value, slice(6, 14), today)
    if document_type == IdDocumentType.HMT_RESIDENCE:
        return value[:6] in HMT_ADDRESS_CODES and _mod11_2_and_birth(value, slice(6, 14), today)
    if document_type == IdDocumentType.FOREIGN_PERMANENT:
        if len(value) == 15:
            return all(ch in ASCII_LETTERS for ch in value[:3]) and _ascii_digits(value[3:])
        return value[:1] == "9" and _mod11_2_and_birth(value, slice(6, 14), today)
    return False


_region_codes: frozenset[str] = frozenset()


def known_region_codes() -> frozenset[str]:
    """Every code of the region table, read once per process (one query of a few thousand short
    rows) so that a list of IDs costs no query per row. An empty table is not cached."""
    global _region_codes
    if not _region_codes:
        from tuoyu_portal.regions.models import Region  # the model layer imports this module

        _region_codes = frozenset(Region.objects.values_list("code", flat=True))
    return _region_codes


def id_address_unknown(value: str) -> bool:
    """An ID whose address code (first 6 digits) is not in the region table.

    Old IDs keep the code of a county that has since been merged, so this is a warning, never a
    refusal (domain.md §8). Works on the masked form too: masking keeps the first six.
    """
    code = normalise_identifier(value)[:6]
    if len(code) != 6 or not _ascii_digits(code) or code in HMT_ADDRESS_CODES:
        return False
    return code not in known_region_codes()


def id_number_warnings(
    value: str, field: str = "id_number", document_type: str = IdDocumentType.RESIDENT_ID
) -> list[RuleViolation]:
    """Warnings (not refusals) about an ID number, in the error shape. Only a 居民身份证 starts
    with a GB/T 2260 address code."""
    if document_type == IdDocumentType.RESIDENT_ID and id_address_unknown(value):
        return [
            RuleViolation(
                "id_address_unknown",
                _("身份证号码前六位地址码不在行政区划表中，请核对号码（可能是已撤销的旧区划）。"),
                field,
            )
        ]
    return []


def birth_date_of(value: str) -> date:
    return ric.get_birth_date(normalise_identifier(value))
