"""Checks of 统一社会信用代码 and 居民身份证号码 (domain.md §8), with rule codes."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

# Credit-code prefixes (registration authority + entity kind) per legal nature (domain §1).
CREDIT_PREFIXES: dict[str, tuple[str, ...]] = {
    "public_institution": ("12",),
    "nonprofit": ("52",),
    "for_profit": ("91", "92"),
}


def clean_credit_code(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def credit_code_valid(value: str) -> bool:
    try:
        uscc.validate(clean_credit_code(value))
    except StdnumError:
        return False
    return True


def credit_code_matches_nature(value: str, legal_nature: str) -> bool:
    return clean_credit_code(value)[:2] in CREDIT_PREFIXES.get(legal_nature, ())


def id_number_valid(value: str, today: date | None = None) -> bool:
    """GB 11643 checksum and a birth date that is real and not in the future."""
    value = value.strip().upper()
    # Not ric.validate(): it also rejects address codes missing from stdnum's bundled table
    # (e.g. 371103 岚山区), which domain.md §8 says must only be a warning.
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        if value[-1] != ric.calc_check_digit(value):
            return False
        born = ric.get_birth_date(value)
    except StdnumError:
        return False
    return born <= (today or timezone.localdate())


def birth_date_of(value: str) -> date:
    return ric.get_birth_date(value.strip().upper())
