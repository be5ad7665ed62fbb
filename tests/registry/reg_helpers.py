"""Shared helpers for the registration tests: valid input and identifier generators."""

from __future__ import annotations

from typing import Any

from stdnum.cn import ric, uscc

from tests.factories import VALID_ID_NUMBER

# A county without the local name switches (东莞 is a city acting as a county).
COUNTY_WITHOUT_NAME_RULES = "441900"


def credit_code(prefix: str = "91", region: str = "371103", serial: int = 1) -> str:
    """A valid 统一社会信用代码 with the given prefix (12 / 52 / 91 / 92)."""
    body = f"{prefix}{region}{serial:09d}"
    return body + uscc.calc_check_digit(body)


def id_number(region: str = "371103", born: str = "19850612", serial: int = 1) -> str:
    """A valid 居民身份证号码 (GB 11643 check digit)."""
    body = f"{region}{born}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 of 18


def valid_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "岚山区阳光全日制托育有限公司",
        "legal_nature": "for_profit",
        "care_modes": ["full_day"],
        "business_scope": "托育服务；3岁以下婴幼儿照护服务",
        "region": "371103",
        "address": "日照市岚山区安东卫街道1号",
        "legal_representative_name": "王明",
        "legal_representative_id_number": VALID_ID_NUMBER,
        "contact_phone": "13800000000",
    }
    data.update(overrides)
    return data
