"""Registration test helpers: valid input data and generated valid credit codes."""

from __future__ import annotations

from typing import Any

from stdnum.cn import uscc

from tests.factories import VALID_ID_NUMBER


def make_uscc(prefix: str, serial: int) -> str:
    """A valid 统一社会信用代码 with the given two-character prefix (check char computed)."""
    body = f"{prefix}371103{serial:09d}"
    return body + uscc.calc_check_digit(body)


def registration_data(**overrides: Any) -> dict[str, Any]:
    """Input that passes every rule in 371103 (name and mode switches on there)."""
    data: dict[str, Any] = {
        "name": "岚山区小海豚全日制托育有限公司",
        "legal_nature": "for_profit",
        "care_modes": ["full_day"],
        "business_scope": "托育服务；3岁以下婴幼儿照护服务",
        "region": "371103",
        "address": "日照市岚山区安东卫街道1号",
        "legal_representative_name": "张三",
        "legal_representative_id_number": VALID_ID_NUMBER,
        "contact_phone": "13800001111",
    }
    data.update(overrides)
    return data
