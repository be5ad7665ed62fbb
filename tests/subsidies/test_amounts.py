"""Amounts month by month from the scheme in force, Decimal 元 with two places."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from subsidies.amounts import compute_amount
from subsidies.models import SchemeKind
from subsidies.services.claims import LineInput, create_claim, submit_claim
from tests.factories import SchemeFactory, child_id_number
from tests.subsidies.conftest import AUG, CHILD, JUL, JUN, MAY, draft_family_claim, family_lines
from tuoyu_portal.exceptions import DomainError


@pytest.fixture
def family_300_then_400(db: None):
    SchemeFactory(valid_from=date(2025, 1, 1), valid_to=date(2026, 6, 30))
    return SchemeFactory(
        valid_from=date(2026, 7, 1), amount=Decimal("400.00"), amount_third_plus=Decimal("700.00")
    )


def test_it_prices_each_month_at_the_amount_in_force_across_a_change(
    filing, operator, family_300_then_400
) -> None:
    claim = create_claim(
        filing,
        actor=operator,
        scheme=family_300_then_400,
        period_start=MAY,
        period_end=AUG,
        lines=family_lines(CHILD, (MAY, JUN, JUL, AUG)),
    )
    assert claim.amount == Decimal("1400.00")  # 2 × 300 + 2 × 400
    assert [(i["month"], i["amount"]) for i in claim.breakdown] == [
        ("2026-05", "300.00"),
        ("2026-06", "300.00"),
        ("2026-07", "400.00"),
        ("2026-08", "400.00"),
    ]
    assert submit_claim(claim, actor=operator).amount == Decimal("1400.00")


def test_it_pays_the_third_plus_amount_for_a_third_child(
    filing, operator, family_300_then_400
) -> None:
    third = child_id_number(date(2025, 3, 1), 11)
    claim = create_claim(
        filing,
        actor=operator,
        scheme=family_300_then_400,
        period_start=JUN,
        period_end=JUL,
        lines=[
            LineInput(child_name="老三", child_id_number=third, birth_order=3, months=(JUN, JUL)),
            LineInput(child_name="老二", child_id_number=CHILD, birth_order=2, months=(JUL,)),
        ],
    )
    assert claim.amount == Decimal("600.00") + Decimal("700.00") + Decimal("400.00")


def test_it_prices_start_up_per_class_and_places_per_month(filing, operator, schemes) -> None:
    startup = create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.STARTUP],
        period_start=MAY,
        period_end=MAY,
        lines=[LineInput(classes=2)],
    )
    places = create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.PLACE_OPERATION],
        period_start=MAY,
        period_end=JUL,
        lines=[LineInput(places=20), LineInput(places=25), LineInput(places=30)],
    )
    assert startup.amount == Decimal("40000.00")
    assert places.amount == Decimal("7500.00")  # (20 + 25 + 30) × 100
    award = create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.DEMONSTRATION_AWARD],
        period_start=MAY,
        period_end=MAY,
        lines=[],
    )
    assert str(award.amount) == "50000.00"


def test_it_refuses_a_month_without_a_scheme_in_force(filing, operator) -> None:
    scheme = SchemeFactory(valid_from=date(2026, 6, 1))
    with pytest.raises(DomainError) as exc:
        create_claim(
            filing,
            actor=operator,
            scheme=scheme,
            period_start=MAY,
            period_end=JUN,
            lines=family_lines(CHILD, (MAY, JUN)),
        )
    assert [v.code for v in exc.value.violations] == ["no_scheme_in_force"]


def test_it_reports_no_scheme_for_a_kind_the_region_lacks(family_300_then_400) -> None:
    result = compute_amount(
        kind=SchemeKind.PLACE_OPERATION,
        region_code="371103",
        period_start=MAY,
        period_end=AUG,
        lines=[LineInput(places=1)],
    )
    assert result.total == Decimal("0.00")
    assert {v.code for v in result.violations} == {"no_scheme_in_force"}


def test_it_refuses_overlapping_validity_for_the_same_region_and_kind(db: None) -> None:
    SchemeFactory(valid_from=date(2025, 1, 1), valid_to=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        SchemeFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    # Another kind or another region may overlap freely.
    SchemeFactory(kind=SchemeKind.STARTUP, amount=Decimal("1"), valid_from=date(2026, 1, 1))
    SchemeFactory(region_id="141023", valid_from=date(2026, 1, 1))


def test_it_shows_amounts_as_two_place_strings(filing, operator, schemes) -> None:
    claim = draft_family_claim(filing, operator, schemes)
    assert str(claim.amount) == "600.00"


def test_a_city_wide_scheme_prices_its_counties_until_the_county_sets_its_own(
    filing, operator
) -> None:
    city = SchemeFactory(region_id="371100", kind=SchemeKind.PLACE_OPERATION, amount=Decimal("80"))
    SchemeFactory(
        region_id="371103",
        kind=SchemeKind.PLACE_OPERATION,
        amount=Decimal("100"),
        valid_from=JUN,
    )
    claim = create_claim(
        filing,
        actor=operator,
        scheme=city,
        period_start=MAY,
        period_end=JUL,
        lines=[LineInput(places=10), LineInput(places=10), LineInput(places=10)],
    )
    # May at the city's 80, June and July at the county's own 100: the nearest region wins.
    assert [item["unit_amount"] for item in claim.breakdown] == ["80.00", "100.00", "100.00"]
    assert claim.amount == Decimal("2800.00")


def test_a_scheme_of_another_city_is_refused(filing, operator) -> None:
    other = SchemeFactory(region_id="141000", kind=SchemeKind.PLACE_OPERATION, amount=Decimal("1"))
    with pytest.raises(DomainError) as refused:
        create_claim(
            filing,
            actor=operator,
            scheme=other,
            period_start=MAY,
            period_end=MAY,
            lines=[LineInput(places=10)],
        )
    assert "scheme_region_mismatch" in {v.code for v in refused.value.violations}


def test_the_city_share_comes_from_the_scheme_then_the_place_rule_then_its_region(db) -> None:
    from subsidies.models import Claim
    from subsidies.sharing import city_share, record_shares

    def claim_on(region: str, kind: str, share: Decimal | None = None) -> Claim:
        scheme = SchemeFactory(region_id=region, kind=kind, amount=Decimal("1"), city_share=share)
        return Claim(
            scheme=scheme, kind=kind, region_id="371103", period_start=MAY, amount=Decimal("33.33")
        )

    # The county's own scheme, no share stated: the county pays it all.
    assert city_share(claim_on("371103", SchemeKind.STARTUP)) == 0
    # A city-wide scheme, no share stated: the city pays it all.
    assert city_share(claim_on("371100", SchemeKind.FAMILY_FEE)) == 1
    # A share the document states wins.
    assert city_share(claim_on("371100", SchemeKind.DEMONSTRATION_AWARD, Decimal("0.25"))) == (
        Decimal("0.25")
    )
    # 托位补助: 岚山's rule, 市级财政给予50%的补助 (fixtures/rules/371103.yaml); the county pays
    # the rest, so the two add up to the claim.
    claim = claim_on("371103", SchemeKind.PLACE_OPERATION)
    record_shares(claim)
    assert (claim.city_share, claim.city_amount, claim.county_amount) == (
        Decimal("0.5"),
        Decimal("16.67"),
        Decimal("16.66"),
    )
