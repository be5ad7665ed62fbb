"""Each eligibility rule (api.md rule codes) with a passing and a failing case: first on the pure
engine, then through the services at submit and again at approve on live facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from registry.models import FilingStatus
from subsidies.eligibility import ChildFacts, EligibilityFacts, check
from subsidies.models import SchemeKind
from subsidies.services.claims import LineInput, approve_claim, create_claim, submit_claim
from tests.factories import child_id_number
from tests.subsidies.conftest import AUG, JUL, JUN, MAY, draft_family_claim, family_lines
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.regions.models import RegionRule

ELIGIBLE = EligibilityFacts(
    kind=SchemeKind.FAMILY_FEE,
    filing_status=FilingStatus.FILED,
    inclusive=True,
    monthly_fee=Decimal("1500"),
    fee_cap=Decimal("2000"),
    filed_places=30,
    filed_classes=2,
    months=(MAY, JUN),
    children=(ChildFacts(1, date(2025, 1, 15), (MAY, JUN)),),
)

CASES = {
    "not_eligible_not_filed": replace(ELIGIBLE, filing_status=FilingStatus.NONCONFORMING),
    "not_eligible_not_inclusive": replace(ELIGIBLE, inclusive=False),
    "not_eligible_fee_over_cap": replace(ELIGIBLE, monthly_fee=Decimal("2000.01")),
    "not_eligible_open_critical_finding": replace(ELIGIBLE, open_critical_findings=1),
    "not_eligible_enforcement_in_force": replace(ELIGIBLE, enforcement_in_force=True),
    "not_eligible_child_over_3": replace(
        ELIGIBLE, children=(ChildFacts(1, date(2023, 6, 10), (MAY, JUN, JUL)),)
    ),
    "claim_exceeds_places": replace(ELIGIBLE, filed_places=0),
}


def test_it_finds_an_eligible_claim_eligible() -> None:
    assert check(ELIGIBLE) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_it_names_each_broken_rule_with_a_chinese_reason(code: str) -> None:
    violations = check(CASES[code])
    assert [v.code for v in violations] == [code]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(violations[0].message))


def test_it_accepts_a_fee_exactly_at_the_cap_and_any_fee_without_a_cap() -> None:
    assert check(replace(ELIGIBLE, monthly_fee=Decimal("2000"))) == []
    assert check(replace(ELIGIBLE, fee_cap=None, monthly_fee=Decimal("99999"))) == []


def test_it_allows_the_month_before_the_third_birthday_but_not_the_month_after() -> None:
    born = date(2023, 6, 10)  # third birthday 2026-06-10
    ok = replace(ELIGIBLE, children=(ChildFacts(1, born, (MAY, JUN)),))
    late = replace(ELIGIBLE, children=(ChildFacts(1, born, (JUL,)),))
    assert check(ok) == []
    assert [v.code for v in check(late)] == ["not_eligible_child_over_3"]


@pytest.mark.parametrize(
    ("kind", "field", "value", "ok"),
    [
        (SchemeKind.PLACE_OPERATION, "places_claimed", (30, 30), True),
        (SchemeKind.PLACE_OPERATION, "places_claimed", (30, 31), False),
        (SchemeKind.STARTUP, "classes_claimed", 2, True),
        (SchemeKind.STARTUP, "classes_claimed", 3, False),
    ],
)
def test_it_caps_places_and_classes_at_the_filed_numbers(
    kind: str, field: str, value: object, ok: bool
) -> None:
    facts = replace(ELIGIBLE, kind=kind, children=(), **{field: value})
    assert (check(facts) == []) is ok


def test_it_lists_every_broken_rule_at_once() -> None:
    facts = replace(
        ELIGIBLE, filing_status=FilingStatus.DRAFT, inclusive=False, enforcement_in_force=True
    )
    assert {v.code for v in check(facts)} == {
        "not_eligible_not_filed",
        "not_eligible_not_inclusive",
        "not_eligible_enforcement_in_force",
    }


# ── Through the services, on live facts ─────────────────────────────────────────────────────
def _codes(exc: pytest.ExceptionInfo[DomainError]) -> set[str]:
    return {v.code for v in exc.value.violations}


def test_it_refuses_submission_for_a_fee_over_the_regions_cap(filing, operator, schemes) -> None:
    RegionRule.objects.create(
        key="inclusive_fee_cap", region_id="371103", value=1200, effective_from=date(2025, 1, 1)
    )
    claim = draft_family_claim(filing, operator, schemes)
    with pytest.raises(DomainError) as exc:
        submit_claim(claim, actor=operator)
    assert _codes(exc) == {"not_eligible_fee_over_cap"}
    claim.refresh_from_db()
    assert claim.status == "draft"
    assert not claim.child_months.exists()


def test_lanshans_cap_is_twice_the_reference_fee_once_the_county_enters_it(
    filing, operator, schemes
) -> None:
    """岚政办字〔2024〕5号 二（二）4: 普惠 fee ≤ 2× the provincial demonstration kindergarten's
    toddler-class fee (the multiple comes from fixtures/rules/371103.yaml)."""
    fee = Decimal(str(filing.monthly_fee))
    RegionRule.objects.create(
        key="inclusive_fee_reference",
        region_id="371103",
        value=float(fee / 2) - 1,
        effective_from=date(2025, 1, 1),
    )
    claim = draft_family_claim(filing, operator, schemes)
    with pytest.raises(DomainError) as exc:
        submit_claim(claim, actor=operator)
    assert _codes(exc) == {"not_eligible_fee_over_cap"}
    RegionRule.objects.filter(key="inclusive_fee_reference").update(value=float(fee / 2))
    assert submit_claim(claim, actor=operator).status == "submitted"


def test_it_submits_when_the_fee_is_within_the_cap(filing, operator, schemes) -> None:
    RegionRule.objects.create(
        key="inclusive_fee_cap", region_id="371100", value=1500, effective_from=date(2025, 1, 1)
    )
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    assert claim.status == "submitted"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": FilingStatus.NONCONFORMING}, "not_eligible_not_filed"),
        ({"inclusive": False}, "not_eligible_not_inclusive"),
    ],
)
def test_it_checks_the_filing_again_at_approval(
    filing, operator, finance_officer, schemes, change, code
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    type(filing).objects.filter(pk=filing.pk).update(**change)
    with pytest.raises(DomainError) as exc:
        approve_claim(claim, actor=finance_officer)
    assert _codes(exc) == {code}
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_it_refuses_months_after_the_childs_third_birthday_at_submit(
    filing, operator, schemes
) -> None:
    older = child_id_number(date(2023, 6, 10), 3)
    claim = draft_family_claim(
        filing, operator, schemes, period_end=AUG, lines=family_lines(older, (JUN, JUL, AUG))
    )
    with pytest.raises(DomainError) as exc:
        submit_claim(claim, actor=operator)
    assert _codes(exc) == {"not_eligible_child_over_3"}
    assert "2026-07" in str(exc.value.violations[0].message)


def test_it_refuses_more_places_than_filed(filing, operator, schemes) -> None:
    claim = create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.PLACE_OPERATION],
        period_start=MAY,
        period_end=JUN,
        lines=[LineInput(places=31)],
    )
    with pytest.raises(DomainError) as exc:
        submit_claim(claim, actor=operator)
    assert _codes(exc) == {"claim_exceeds_places"}


def test_it_refuses_a_claim_on_an_unfiled_filing(filing, operator, schemes) -> None:
    claim = draft_family_claim(filing, operator, schemes)
    type(filing).objects.filter(pk=filing.pk).update(status=FilingStatus.CLOSING)
    with pytest.raises(DomainError) as exc:
        submit_claim(claim, actor=operator)
    assert _codes(exc) == {"not_eligible_not_filed"}


def _inspection(filing):
    from inspections.models import Inspection

    return Inspection.objects.create(
        filing=filing,
        institution=filing.institution,
        region_id=filing.region_id,
        kind="routine",
        departments=["health"],
        visited_on=date(2026, 4, 1),
    )


@pytest.mark.parametrize(("status", "blocked"), [("open", True), ("verified", False)])
def test_it_blocks_a_claim_while_a_critical_finding_is_open(
    filing, operator, schemes, status, blocked
) -> None:
    from inspections.models import Finding

    Finding.objects.create(
        inspection=_inspection(filing),
        institution=filing.institution,
        region_id=filing.region_id,
        rule="管理规范 第十条",
        severity="critical",
        description="消防通道堵塞",
        deadline=date(2026, 4, 8),
        status=status,
    )
    # A major finding never blocks: only critical ones do.
    Finding.objects.create(
        inspection=_inspection(filing),
        institution=filing.institution,
        region_id=filing.region_id,
        rule="管理规范 第十二条",
        severity="major",
        description="晨检记录不全",
        deadline=date(2026, 5, 1),
    )
    claim = draft_family_claim(filing, operator, schemes)
    if blocked:
        with pytest.raises(DomainError) as exc:
            submit_claim(claim, actor=operator)
        assert _codes(exc) == {"not_eligible_open_critical_finding"}
    else:
        assert submit_claim(claim, actor=operator).status == "submitted"


@pytest.mark.parametrize(
    ("until", "lifted", "blocked"),
    [
        (None, False, True),
        (date(2099, 1, 1), False, True),
        (date(2026, 1, 1), False, False),
        (None, True, False),
    ],
)
def test_it_blocks_a_claim_while_an_enforcement_action_is_in_force(
    filing, operator, schemes, until, lifted, blocked
) -> None:
    from django.utils import timezone

    from inspections.models import EnforcementAction

    EnforcementAction.objects.create(
        institution=filing.institution,
        filing=filing,
        region_id=filing.region_id,
        kind="order_to_correct",
        legal_basis="人口与计划生育法 第四十一条",
        decision_ref="岚卫责改〔2026〕1号",
        decided_on=date(2025, 12, 1),
        in_force_until=until,
        lifted_at=timezone.now() if lifted else None,
    )
    claim = draft_family_claim(filing, operator, schemes)
    if blocked:
        with pytest.raises(DomainError) as exc:
            submit_claim(claim, actor=operator)
        assert _codes(exc) == {"not_eligible_enforcement_in_force"}
    else:
        assert submit_claim(claim, actor=operator).status == "submitted"
