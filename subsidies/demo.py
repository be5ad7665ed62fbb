"""Demo and reference data for subsidies: the 岚山 (371103) schemes (api.md "Demo data"), and a
year of claims of every kind in every state, with a paid payment batch (seed_claims).

`ensure_schemes` is shared with the data migration 0003, so it takes the model class (the
historical one in migrations) and only creates a kind that the region has no row for yet.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any, TextIO, cast

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


# Each kind is claimed once in each final state; "paid" ones go into one paid payment batch.
CLAIM_STATES = ["draft", "submitted", "changes_requested", "approved", "rejected", "paid"]
WAITING_STATES = {"draft", "submitted", "changes_requested"}
CHANGES_REASON = "请补充在托幼儿的考勤记录（需家长签字）。"
REJECT_REASON = "申请期间机构实际收费高于普惠托育收费标准，不符合补助条件。"


def _assess_quality(filing: Any, moment: Any) -> None:
    """A WS/T 821—2023 quality visit at full marks, through the inspection service (once)."""
    from inspections.models import ChecklistTemplate, Inspection, InspectionKind
    from inspections.services.visits import record_inspection
    from registry.demo import plan as registry_demo
    from tuoyu_portal.accounts.models import User

    if Inspection.objects.filter(filing=filing, kind=InspectionKind.QUALITY).exists():
        return
    template = (
        ChecklistTemplate.objects.filter(kind=InspectionKind.QUALITY, published=True)
        .order_by("-version")
        .first()
    )
    inspector = User.objects.filter(username="inspector", region_id=filing.region_id).first()
    if template is None or inspector is None:
        return
    answers = {
        item["code"]: {"ok": True} if item.get("veto") else {"score": item.get("points", 0)}
        for item in template.items
    }
    with registry_demo.at(moment):
        record_inspection(
            filing,
            actor=inspector,
            kind=InspectionKind.QUALITY,
            visited_on=moment.date(),
            notes="质量评估：各维度达到示范标准。",
            checklist_template=template,
            checklist_answers=answers,
        )


def seed_claims(stdout: TextIO) -> None:
    """Claims of the four kinds in each state for the filed 普惠 demo institutions of 岚山, dated
    over the past year through the claim and batch services (registry.demo.plan.at sets the clock).
    Nothing when the county already has claims (idempotent) or no eligible filing."""
    from datetime import datetime, time, timedelta

    from inspections import selectors as inspection_selectors
    from registry.demo import plan as registry_demo
    from registry.models import Filing, FilingStatus
    from tuoyu_portal.accounts.models import User

    from .amounts import add_months, first_of_month
    from .models import ONE_OFF_KINDS, Claim, Scheme, SchemeKind
    from .services.batches import create_batch, mark_batch_paid
    from .services.claims import (
        LineInput,
        approve_claim,
        create_claim,
        reject_claim,
        request_changes,
        submit_claim,
    )

    officer = User.objects.filter(username="subsidy", region_id=LANSHAN).first()
    if officer is None or Claim.objects.filter(region_id=LANSHAN).exists():
        return
    today = datetime.now(registry_demo.BEIJING).date()
    quiet = {p.name for p in registry_demo.build_plan(today) if p.quiet}
    eligible = [
        f
        for f in Filing.objects.filter(
            status=FilingStatus.FILED,
            inclusive=True,
            region_id=LANSHAN,
            filed_on__lte=today - timedelta(days=130),
        )
        .select_related("institution")
        .order_by("filed_on", "pk")
        if f.institution.name not in quiet
        and not inspection_selectors.has_open_critical_finding(f.institution_id)
        and not inspection_selectors.has_enforcement_in_force(f.institution_id, today)
    ]
    if not eligible:
        stdout.write("subsidies: no eligible demo filing, no claims")
        return
    # A fixed seed for repeatable demo data, not for anything secret.
    rng = random.Random(registry_demo.description()["seed"] + 1)  # nosec B311
    kinds = [
        SchemeKind.STARTUP,
        SchemeKind.PLACE_OPERATION,
        SchemeKind.FAMILY_FEE,
        SchemeKind.DEMONSTRATION_AWARD,
    ]
    paid: list[int] = []
    serial = 100
    created = 0
    for k, kind in enumerate(kinds):
        for s, state in enumerate(CLAIM_STATES):
            filing = eligible[(k * len(CLAIM_STATES) + s) % len(eligible)]
            operator = filing.institution.memberships.filter(user__role="operator").first()
            if operator is None:
                continue
            filed_on = cast(date, filing.filed_on)  # filtered on filed_on__lte above
            room = (today - filed_on).days - 100
            ago = rng.randint(2, 10) if state in WAITING_STATES else rng.randint(40, max(41, room))
            ago = min(ago, max(room, 2))
            minute = rng.randint(9 * 60, 16 * 60)
            opened = datetime.combine(
                today - timedelta(days=ago),
                time(minute // 60, minute % 60),
                tzinfo=registry_demo.BEIJING,
            )
            end = add_months(first_of_month(opened.date()), -1)
            start = end if kind in ONE_OFF_KINDS else add_months(end, -2)
            months = tuple(add_months(start, n) for n in range(3)) if start != end else (start,)
            if kind == SchemeKind.STARTUP:
                lines = [LineInput(classes=1)]
            elif kind == SchemeKind.PLACE_OPERATION:
                lines = [LineInput(places=filing.places)]
            elif kind == SchemeKind.FAMILY_FEE:
                lines = []
                for order in (2, 3):
                    serial += 1
                    born = date(2024, rng.randint(1, 12), rng.randint(1, 28))
                    lines.append(
                        LineInput(
                            child_name=f"演示幼儿{serial}",
                            child_id_number=_demo_child_id(born, serial),
                            birth_order=order,
                            months=months,
                        )
                    )
            else:
                lines = []
            scheme = Scheme.objects.in_force(LANSHAN, kind, start).first()
            if scheme is None:
                continue
            if kind == SchemeKind.DEMONSTRATION_AWARD:
                # The award needs the demonstration grade: a published quality assessment first.
                _assess_quality(filing, opened - timedelta(days=20))
            with registry_demo.at(opened):
                claim = create_claim(
                    filing,
                    actor=operator.user,
                    scheme=scheme,
                    period_start=start,
                    period_end=end,
                    lines=lines,
                )
            created += 1
            if state == "draft":
                continue
            with registry_demo.at(opened + timedelta(days=1)):
                claim = submit_claim(claim, actor=operator.user)
            decided = opened + timedelta(days=min(6, ago - 1))
            with registry_demo.at(decided):
                if state == "changes_requested":
                    request_changes(claim, actor=officer, reason=CHANGES_REASON)
                elif state == "rejected":
                    reject_claim(claim, actor=officer, reason=REJECT_REASON)
                elif state in ("approved", "paid"):
                    approve_claim(claim, actor=officer, note="材料齐全，核准。")
            if state == "paid":
                paid.append(claim.pk)
    if paid:
        latest = Claim.objects.filter(pk__in=paid).order_by("-decided_at").first()
        assert latest is not None and latest.decided_at is not None
        batched = latest.decided_at + timedelta(days=3)
        with registry_demo.at(batched):
            batch = create_batch(paid, actor=officer)
        with registry_demo.at(batched + timedelta(days=5)):
            mark_batch_paid(batch, actor=officer, payment_ref=f"岚财拨〔{batched.year}〕托育01号")
    stdout.write(f"subsidies: {created} demo claims, {len(paid)} paid in one batch")
