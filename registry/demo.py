"""Demo registrations for the demo users (api.md "Demo data"). Idempotent.

Called by `seed_demo` after the demo users exist. Every state is reached through the services,
so the approved one has its history and its outbox push like a real one.
"""

from __future__ import annotations

from typing import Any, TextIO

from stdnum.cn import ric, uscc

from registry.models import Registration, RegistrationStatus
from registry.services import registrations as services
from tuoyu_portal.accounts.models import User


def demo_credit_code(prefix: str, region: str, serial: int) -> str:
    """A valid 统一社会信用代码 (check character computed, GB 32100)."""
    body = f"{prefix}{region}{serial:09d}"
    return body + uscc.calc_check_digit(body)


def demo_id_number(region: str, born: str, serial: int) -> str:
    body = f"{region}{born}{serial:03d}"
    # stdnum's calc_check_digit takes a full 18-character number and ignores its last one.
    return body + ric.calc_check_digit(body + "0")


def _data(name: str, nature: str, region: str, modes: list[str], serial: int) -> dict[str, Any]:
    return {
        "name": name,
        "legal_nature": nature,
        "care_modes": modes,
        "business_scope": "托育服务；3岁以下婴幼儿照护服务",
        "region": region,
        "address": f"日照市岚山区安东卫街道演示路{serial}号"
        if region == "371103"
        else f"临汾市襄汾县新城镇演示街{serial}号",
        "legal_representative_name": f"演示{serial}",
        "legal_representative_id_number": demo_id_number(region, "19850612", serial),
        "contact_phone": f"1380000{serial:04d}",
    }


# (operator, data, target state, registrar who decides: 岚山 routes legal persons to 行政审批)
DEMO: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "operator",
        _data("岚山区阳光全日制托育有限公司", "for_profit", "371103", ["full_day"], 1),
        RegistrationStatus.APPROVED,
        "xzsp",
    ),
    (
        "operator",
        _data("岚山区小太阳半日制托育中心", "nonprofit", "371103", ["half_day", "hourly"], 2),
        RegistrationStatus.SUBMITTED,
        "xzsp",
    ),
    (
        "operator",
        _data("岚山区彩虹计时制托育服务部", "for_profit", "371103", ["hourly"], 3),
        RegistrationStatus.DRAFT,
        "xzsp",
    ),
    (
        "operator",
        _data("岚山区海之子全日制托育有限公司", "for_profit", "371103", ["full_day"], 4),
        RegistrationStatus.RETURNED,
        "xzsp",
    ),
    (
        "operator2",
        _data("襄汾县春苗全日制托育有限公司", "for_profit", "141023", ["full_day"], 5),
        RegistrationStatus.SUBMITTED,
        "scjg2",
    ),
]


def seed(stdout: TextIO) -> None:
    created = 0
    for username, data, target, registrar_name in DEMO:
        operator = User.objects.filter(username=username).first()
        registrar = User.objects.filter(username=registrar_name).first()
        if operator is None or registrar is None:
            continue
        if Registration.objects.visible_to(operator).filter(name=data["name"]).exists():
            continue
        reg = services.create_registration(actor=operator, data=data)
        if target != RegistrationStatus.DRAFT:
            reg = services.submit_registration(reg, actor=operator)
        if target == RegistrationStatus.RETURNED:
            services.return_registration(
                reg, actor=registrar, reason="请补充住所的详细门牌号，并核对法定代表人联系电话。"
            )
        elif target == RegistrationStatus.APPROVED:
            services.approve_registration(
                reg,
                actor=registrar,
                credit_code=demo_credit_code("91", data["region"], 100 + len(data["name"])),
            )
        created += 1
    stdout.write(f"demo registrations: {created} created")
