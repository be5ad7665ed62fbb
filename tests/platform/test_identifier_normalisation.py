"""One normaliser for every identifier (api.md 1.1 "Identifiers", domain.md §8)."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from tuoyu_portal import crypto, identifiers
from tuoyu_portal.identifiers import IdDocumentType

ID = "371103198807074517"
CODE = "91110000600037341L"
FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
ARABIC_INDIC = {ord(c): 0x0660 + int(c) for c in "0123456789"}


def full_width(value: str) -> str:
    return value.translate(FULL)


def with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.mark.parametrize(
    "typed",
    [
        full_width(ID),
        full_width(ID[:17]) + ID[17],
        "\u00a0" + ID + "\u3000",
        "\u3000" + ID[:6] + " " + ID[6:] + "\u00a0",
        ID[:3] + "\u00b9" + ID[4:],  # ID[3] is "1"
        ID.lower(),
        ID[:9] + "\u200b" + ID[9:],
    ],
)
def test_every_form_of_an_id_is_that_id(typed: str) -> None:
    assert ID[3] == "1"
    assert identifiers.normalise_identifier(typed) == ID
    assert identifiers.id_number_valid(typed)
    assert crypto.keyed_hash(typed) == crypto.keyed_hash(ID)
    assert crypto.mask_id(typed) == crypto.mask_id(ID)


@pytest.mark.parametrize(
    "typed",
    [
        ID.translate(ARABIC_INDIC),
        ID[:5] + "\u0663" + ID[6:],  # one Arabic-Indic ٣
        ID[:5] + "\u06f3" + ID[6:],  # extended Arabic-Indic ۳
        ID[:5] + "\u0968" + ID[6:],  # Devanagari २
        ID[:17] + "\u00d7",  # × instead of X
    ],
)
def test_what_is_still_not_ascii_is_invalid_and_never_raises(typed: str) -> None:
    # str.isdigit() is True for all of these digits; the ASCII check is explicit.
    assert not identifiers.id_number_valid(typed)
    assert not identifiers.credit_code_valid(typed)


def test_a_superscript_digit_that_raised_before_is_a_plain_answer() -> None:
    # Before the fix int("²") inside stdnum raised ValueError (a 500 at every door).
    assert identifiers.id_number_valid(ID[:4] + "\u00b2" + ID[5:]) is False
    assert identifiers.normalise_identifier("\u00b2") == "2"


@pytest.mark.parametrize(
    "typed",
    [full_width(CODE), full_width(CODE).lower(), "\u3000" + CODE + "\u00a0", CODE.lower()],
)
def test_every_form_of_a_credit_code_is_that_code(typed: str) -> None:
    assert identifiers.clean_credit_code(typed) == CODE
    assert identifiers.credit_code_valid(typed)
    assert identifiers.credit_code_matches_nature(typed, "for_profit")


def test_a_credit_code_with_arabic_indic_digits_is_invalid() -> None:
    assert not identifiers.credit_code_valid(CODE.translate(ARABIC_INDIC))


def test_the_hmt_residence_permit_has_its_own_check() -> None:
    permit = with_check("81000019900101003")
    kind = IdDocumentType.HMT_RESIDENCE
    assert identifiers.id_number_valid(permit, document_type=kind)
    assert identifiers.id_number_valid(full_width(permit), document_type=kind)
    # A mainland ID is not a residence permit, and a bad check character fails.
    assert not identifiers.id_number_valid(ID, document_type=kind)
    bad = permit[:17] + ("0" if permit[17] != "0" else "1")
    assert not identifiers.id_number_valid(bad, document_type=kind)


def test_the_foreign_permanent_residence_card_takes_both_formats() -> None:
    kind = IdDocumentType.FOREIGN_PERMANENT
    new = with_check("93715619900101001")
    assert identifiers.id_number_valid(new, document_type=kind)
    assert identifiers.id_number_valid("USA370190010100", document_type=kind)
    assert identifiers.id_number_valid("usa370190010100", document_type=kind)
    assert not identifiers.id_number_valid("US1370190010100", document_type=kind)
    assert not identifiers.id_number_valid(ID, document_type=kind)  # must start with 9
    future = with_check("93715620990101001")
    assert not identifiers.id_number_valid(future, date(2026, 1, 1), document_type=kind)
    # A foreign card is not a 居民身份证.
    assert not identifiers.id_number_valid("USA370190010100")


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["000000", "999999"])
def test_an_unknown_address_code_is_a_warning_not_a_refusal(address: str) -> None:
    number = with_check(address + "19880707451")
    assert identifiers.id_number_valid(number)
    warnings = identifiers.id_number_warnings(number)
    assert [w.code for w in warnings] == ["id_address_unknown"]
    assert "行政区划" in str(warnings[0].message)
    # The masked form (kept first six) gives the same answer.
    assert identifiers.id_address_unknown(crypto.mask_id(number))


@pytest.mark.django_db
def test_a_known_address_code_or_another_document_gives_no_warning() -> None:
    assert identifiers.id_number_warnings(ID) == []
    new = with_check("93715619900101001")
    assert identifiers.id_number_warnings(new, document_type=IdDocumentType.FOREIGN_PERMANENT) == []
