"""Demo and reference data for subsidies: the 岚山 (371103) schemes (api.md "Demo data").

`ensure_schemes` is shared with the data migration 0003, so it takes the model class (the
historical one in migrations) and only creates a kind that the region has no row for yet.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TextIO

LANSHAN = "371103"

LANSHAN_SCHEMES: list[dict[str, Any]] = [
    {
        "kind": "startup",
        "amount": Decimal("20000.00"),
        "basis": "日照市岚山区托育服务实施意见：一次性开办补助每班2万元",
    },
    {
        "kind": "family_fee",
        "amount": Decimal("300.00"),
        "amount_third_plus": Decimal("600.00"),
        "basis": "日照市岚山区：二孩每人每月300元，三孩及以上每人每月600元",
    },
    {
        "kind": "demonstration_award",
        "amount": Decimal("50000.00"),
        "basis": "日照市岚山区：示范性托育机构一次性奖励5万元",
    },
    {
        # No amount is given in our reference notice: illustrative, flagged as such in admin.
        "kind": "place_operation",
        "amount": Decimal("100.00"),
        "basis": "示例金额：请按当地文件（如公办幼儿园生均公用经费）核定后修改",
        "illustrative": True,
    },
]


def ensure_schemes(scheme_model: Any, region_code: str, specs: list[dict[str, Any]]) -> int:
    """Create each kind's scheme from 2025-01-01 unless the region already has one; → created."""
    created = 0
    for spec in specs:
        if scheme_model.objects.filter(region_id=region_code, kind=spec["kind"]).exists():
            continue
        scheme_model.objects.create(
            region_id=region_code,
            valid_from=date(2025, 1, 1),
            valid_to=None,
            amount_third_plus=spec.get("amount_third_plus"),
            illustrative=spec.get("illustrative", False),
            kind=spec["kind"],
            amount=spec["amount"],
            basis=spec["basis"],
        )
        created += 1
    return created


def seed(stdout: TextIO) -> None:
    from tuoyu_portal.regions.models import Region

    from .models import Scheme

    if not Region.objects.filter(code=LANSHAN).exists():
        stdout.write("subsidies: region 371103 missing, schemes skipped")
        return
    created = ensure_schemes(Scheme, LANSHAN, LANSHAN_SCHEMES)
    stdout.write(f"subsidies: 371103 schemes ready ({created} created)")
    seed_claims(stdout)


def _demo_child_id(born: date, serial: int) -> str:
    """A checksum-valid, obviously fictitious child ID number (GB 11643 MOD 11-2)."""
    body = f"{LANSHAN}{born:%Y%m%d}{serial:03d}"
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def seed_claims(stdout: TextIO) -> None:
    """A submitted family-fee claim for the demo operator's filed 普惠 institution, if the registry
    demo created one; nothing otherwise (the subsidy pages then start empty)."""
    from registry.models import Filing, FilingStatus
    from tuoyu_portal.accounts.models import User
    from tuoyu_portal.exceptions import DomainError

    from .models import Claim, SchemeKind
    from .services.claims import LineInput, create_claim, submit_claim

    operator = User.objects.filter(username="operator").first()
    filing = (
        Filing.objects.filter(
            status=FilingStatus.FILED,
            inclusive=True,
            region_id=LANSHAN,
            institution__memberships__user=operator,
        ).first()
        if operator
        else None
    )
    if filing is None or Claim.objects.filter(filing=filing).exists():
        return
    scheme = _scheme_in_force(SchemeKind.FAMILY_FEE)
    months = (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1))
    try:
        claim = create_claim(
            filing,
            actor=operator,
            scheme=scheme,
            period_start=months[0],
            period_end=months[-1],
            lines=[
                LineInput(
                    child_name="演示幼儿甲",
                    child_id_number=_demo_child_id(date(2024, 9, 1), 901),
                    birth_order=2,
                    months=months,
                ),
                LineInput(
                    child_name="演示幼儿乙",
                    child_id_number=_demo_child_id(date(2025, 2, 1), 902),
                    birth_order=3,
                    months=months,
                ),
            ],
        )
        submit_claim(claim, actor=operator)
    except DomainError as exc:
        stdout.write(f"subsidies: demo claim skipped ({exc})")
        return
    stdout.write(f"subsidies: demo claim #{claim.pk} submitted")


def _scheme_in_force(kind: str) -> Any:
    from .models import Scheme

    return Scheme.objects.in_force(LANSHAN, kind, date(2026, 3, 1)).get()
