"""The 5万 示范奖励 needs the demonstration grade the scheme names (rule
`demonstration_award_min_grade`), checked at submit and again at approve."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from registry.models import Filing, FilingStatus
from subsidies.eligibility import EligibilityFacts, check
from subsidies.models import Claim, SchemeKind
from subsidies.services.claims import approve_claim, create_claim, submit_claim
from tests.subsidies.conftest import MAY
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.regions.models import RegionRule

AWARD = EligibilityFacts(
    kind=SchemeKind.DEMONSTRATION_AWARD,
    filing_status=FilingStatus.FILED,
    inclusive=True,
    monthly_fee=Decimal("1500"),
    fee_cap=Decimal("2000"),
    filed_places=30,
    filed_classes=2,
    required_grade="A",
)


def graded(filing: Filing, grade: str, visited_on: date = date(2026, 4, 1)) -> None:
    from inspections.models import Inspection

    Inspection.objects.create(
        filing=filing,
        institution=filing.institution,
        region_id=filing.region_id,
        kind="quality",
        departments=["health"],
        visited_on=visited_on,
        quality_grade=grade,
        published=True,
    )


def award(filing: Filing, operator, schemes) -> Claim:  # type: ignore[no-untyped-def]
    return create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.DEMONSTRATION_AWARD],
        period_start=MAY,
        period_end=MAY,
        lines=[],
    )


@pytest.mark.parametrize(
    ("grade", "required", "codes"),
    [
        ("A", "A", []),
        ("B", "A", ["demonstration_grade_required"]),
        (None, "A", ["demonstration_grade_required"]),
        ("B", "B", []),
        ("C", "B", ["demonstration_grade_required"]),
    ],
)
def test_the_award_needs_the_named_grade(grade, required, codes) -> None:  # type: ignore[no-untyped-def]
    found = check(replace(AWARD, quality_grade=grade, required_grade=required))
    assert [v.code for v in found] == codes
    assert all("示范标准" in str(v.message) for v in found)


def test_other_kinds_ignore_the_grade() -> None:
    assert check(replace(AWARD, kind=SchemeKind.STARTUP, quality_grade=None)) == []


def test_submit_refuses_an_award_without_the_grade(filing, operator, schemes) -> None:  # type: ignore[no-untyped-def]
    graded(filing, "B")
    with pytest.raises(DomainError) as caught:
        submit_claim(award(filing, operator, schemes), actor=operator)
    assert {v.code for v in caught.value.violations} == {"demonstration_grade_required"}
    # A county that names grade B as its demonstration standard.
    RegionRule.objects.create(
        key="demonstration_award_min_grade",
        region_id=filing.region_id,
        value="B",
        effective_from="2020-01-01",
    )
    assert submit_claim(Claim.objects.get(), actor=operator).status == "submitted"


def test_approve_checks_the_grade_again(filing, operator, finance_officer, schemes) -> None:  # type: ignore[no-untyped-def]
    graded(filing, "A")
    claim = submit_claim(award(filing, operator, schemes), actor=operator)
    graded(filing, "C", visited_on=date(2026, 5, 20))  # reassessed after submission
    with pytest.raises(DomainError) as caught:
        approve_claim(claim, actor=finance_officer)
    assert {v.code for v in caught.value.violations} == {"demonstration_grade_required"}
    claim.refresh_from_db()
    assert claim.status == "submitted"
