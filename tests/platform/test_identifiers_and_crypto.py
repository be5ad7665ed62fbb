from __future__ import annotations

from datetime import date

import pytest

from tuoyu_portal import crypto, identifiers


@pytest.mark.parametrize("code", ["91110000600037341L", "12100000400000624D", "9144030071526726XG"])
def test_it_accepts_real_credit_codes(code: str) -> None:
    assert identifiers.credit_code_valid(code)


@pytest.mark.parametrize(
    "code", ["91110000600037341M", "9111000060003734", "", "ABCDEFGHIJKLMNOPQR"]
)
def test_it_rejects_bad_credit_codes(code: str) -> None:
    assert not identifiers.credit_code_valid(code)


def test_credit_code_prefix_follows_legal_nature() -> None:
    assert identifiers.credit_code_matches_nature("12100000400000624D", "public_institution")
    assert not identifiers.credit_code_matches_nature("12100000400000624D", "for_profit")
    assert identifiers.credit_code_matches_nature("91110000600037341L", "for_profit")


def test_id_numbers_need_a_checksum_and_a_past_birth_date() -> None:
    assert identifiers.id_number_valid("11010519491231002X")
    assert not identifiers.id_number_valid("110105194912310021")
    # Checksum-valid but born in 2099: stdnum accepts it, we must not.
    future = "110105209901010000"
    from stdnum.cn import ric

    future = future[:17] + ric.calc_check_digit(future[:17])
    assert not identifiers.id_number_valid(future, today=date(2026, 11, 23))


def test_encryption_round_trips_and_is_randomised(settings: object) -> None:
    token_a = crypto.encrypt("11010519491231002X")
    token_b = crypto.encrypt("11010519491231002X")
    assert token_a != token_b
    assert "11010519491231002X" not in token_a
    assert crypto.decrypt(token_a) == "11010519491231002X"


def test_keyed_hash_matches_regardless_of_case_and_spaces() -> None:
    assert crypto.keyed_hash("11010519491231002x ") == crypto.keyed_hash("11010519491231002X")
    assert crypto.keyed_hash("11010519491231002X") != crypto.keyed_hash("110105194912310010")


def test_masking_keeps_region_and_last_four() -> None:
    assert crypto.mask_id("11010519491231002X") == "110105********002X"
    assert crypto.mask_phone("13812345678") == "138****5678"
