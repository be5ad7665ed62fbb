"""The standards engine: every rule code fails and passes; regions override with dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry import standards
from registry.standards import ClassFacts, SiteFacts
from tuoyu_portal.regions.models import RegionRule

TODAY = date(2026, 3, 1)
COUNTY = "371103"


def _rules(facts: SiteFacts, region: str | None = None, on: date = TODAY) -> set[str]:
    return {v.rule for v in standards.check_all(facts, region, on=on) if v.severity == "error"}


def _site(**overrides: object) -> SiteFacts:
    base: dict[str, object] = {
        "places": 25,
        "classes": (ClassFacts("young_toddler", 10, 2), ClassFacts("older_toddler", 15, 3)),
        "children_floor": 1,
        "site_tenure": "leased",
        "lease_end": date(2030, 1, 1),
        "indoor_area_m2": Decimal("75"),
        "outdoor_area_m2": Decimal("50"),
        "meals": "delivered",
        "health_workers": 1,
        "cooks": 0,
    }
    base.update(overrides)
    return SiteFacts(**base)  # type: ignore[arg-type]


def test_it_passes_a_conforming_site() -> None:
    assert _rules(_site()) == set()


@pytest.mark.parametrize(
    ("class_type", "biggest_ok"),
    [("infant", 10), ("young_toddler", 15), ("older_toddler", 20), ("mixed", 18)],
)
def test_it_checks_class_size_per_class_type(class_type: str, biggest_ok: int) -> None:
    ok = _site(places=biggest_ok, classes=(ClassFacts(class_type, biggest_ok, 10),))
    too_big = _site(places=biggest_ok + 1, classes=(ClassFacts(class_type, biggest_ok + 1, 10),))
    assert "class_over_size" not in _rules(ok)
    assert "class_over_size" in _rules(too_big)


@pytest.mark.parametrize(
    ("class_type", "children", "carers_needed"),
    [("infant", 10, 4), ("young_toddler", 15, 3), ("older_toddler", 20, 3), ("mixed", 18, 4)],
)
def test_it_checks_the_carer_ratio_per_class_type(
    class_type: str, children: int, carers_needed: int
) -> None:
    enough = _site(places=children, classes=(ClassFacts(class_type, children, carers_needed),))
    short = _site(places=children, classes=(ClassFacts(class_type, children, carers_needed - 1),))
    assert "carer_ratio_below_standard" not in _rules(enough)
    assert "carer_ratio_below_standard" in _rules(short)


def test_it_refuses_mixed_classes_with_children_under_18_months() -> None:
    young = _site(places=10, classes=(ClassFacts("mixed", 10, 2, min_age_months=12),))
    old_enough = _site(places=10, classes=(ClassFacts("mixed", 10, 2, min_age_months=18),))
    assert "mixed_class_under_18_months" in _rules(young)
    assert "mixed_class_under_18_months" not in _rules(old_enough)


def test_it_checks_places_against_classes() -> None:
    assert "places_mismatch" in _rules(_site(places=30))
    assert "places_mismatch" not in _rules(_site(places=25))


def test_it_checks_the_childrens_floor() -> None:
    assert "children_floor_too_high" in _rules(_site(children_floor=4))
    assert "children_floor_too_high" not in _rules(_site(children_floor=3))


def test_it_refuses_underground_rooms() -> None:
    assert "underground_children_rooms" in _rules(_site(children_floor=-1))
    assert "underground_children_rooms" not in _rules(_site(children_floor=1))


def test_it_requires_three_years_of_lease() -> None:
    assert "lease_too_short" in _rules(_site(lease_end=date(2029, 2, 28)))
    assert "lease_too_short" not in _rules(_site(lease_end=date(2029, 3, 1)))
    assert "lease_too_short" in _rules(_site(lease_end=None))
    assert "lease_too_short" not in _rules(_site(site_tenure="owned", lease_end=None))


def test_it_checks_indoor_area_per_child() -> None:
    assert "indoor_area_too_small" in _rules(_site(indoor_area_m2=Decimal("74.99")))
    assert "indoor_area_too_small" not in _rules(_site(indoor_area_m2=Decimal("75")))


def test_it_checks_outdoor_area_per_child() -> None:
    assert "outdoor_area_too_small" in _rules(_site(outdoor_area_m2=Decimal("49")))
    assert "outdoor_area_too_small" not in _rules(_site(outdoor_area_m2=Decimal("50")))


def test_it_warns_about_health_workers_and_cooks_without_blocking() -> None:
    facts = _site(
        places=150,
        classes=tuple(ClassFacts("older_toddler", 15, 3) for _ in range(10)),
        indoor_area_m2=Decimal("450"),
        outdoor_area_m2=Decimal("300"),
        health_workers=0,
        meals="on_site",
        cooks=1,
    )
    found = standards.check_all(facts, None, on=TODAY)
    warnings = {v.rule for v in found if v.severity == "warning"}
    assert warnings == {"health_worker_required", "cooks_below_standard"}
    assert _rules(facts) == set()


def test_it_treats_an_unknown_class_type_as_bad_input_not_a_crash() -> None:
    assert "class_type_invalid" in _rules(_site(places=5, classes=(ClassFacts("nursery", 5, 1),)))


@pytest.mark.django_db
def test_it_applies_a_region_override_from_its_effective_date() -> None:
    RegionRule.objects.create(
        key="min_outdoor_m2_per_child", region_id="371100", value=3, effective_from=date(2026, 6, 1)
    )
    facts = _site(outdoor_area_m2=Decimal("60"))  # 2.4 m² per child
    assert "outdoor_area_too_small" not in _rules(facts, COUNTY, on=date(2026, 5, 31))
    assert "outdoor_area_too_small" in _rules(facts, COUNTY, on=date(2026, 6, 1))
    # The county's own row beats the city's, even if older.
    RegionRule.objects.create(
        key="min_outdoor_m2_per_child", region_id=COUNTY, value="2", effective_from=date(2026, 1, 1)
    )
    assert "outdoor_area_too_small" not in _rules(facts, COUNTY, on=date(2026, 7, 1))


@pytest.mark.django_db
def test_it_applies_a_regional_carer_ratio() -> None:
    RegionRule.objects.create(
        key="ratio_older_toddler", region_id=COUNTY, value=6, effective_from=date(2026, 1, 1)
    )
    facts = _site(places=20, classes=(ClassFacts("older_toddler", 20, 3),))
    assert "carer_ratio_below_standard" not in _rules(facts, None)
    assert "carer_ratio_below_standard" in _rules(facts, COUNTY)


@pytest.mark.django_db
def test_it_lists_the_rule_table_with_national_defaults() -> None:
    table = {row["key"]: row for row in standards.rule_table(COUNTY, TODAY)}
    assert table["class_max_infant"]["value"] == 10
    assert table["ratio_infant"]["value"] == 3
    assert table["min_lease_years"]["value"] == 3
    assert table["ratio_mixed"]["mark"] == "?"


def test_it_explains_every_filing_rule_code() -> None:
    for code in (
        "registration_not_approved",
        "documents_missing",
        "food_license_required",
        "commitment_required",
        "class_over_size",
        "carer_ratio_below_standard",
        "mixed_class_under_18_months",
        "places_mismatch",
        "children_floor_too_high",
        "underground_children_rooms",
        "lease_too_short",
        "indoor_area_too_small",
        "outdoor_area_too_small",
    ):
        assert standards.explain(code)


@pytest.mark.django_db
def test_it_refuses_infants_under_6_months_unless_the_region_allows_them() -> None:
    facts = _site(places=5, classes=(ClassFacts("infant", 5, 2, min_age_months=4),))
    assert "under_6_months_not_allowed" in _rules(facts, COUNTY)
    assert "under_6_months_not_allowed" not in _rules(
        _site(places=5, classes=(ClassFacts("infant", 5, 2, min_age_months=6),)), COUNTY
    )
    RegionRule.objects.create(
        key="allow_under_6_months", region_id=COUNTY, value=True, effective_from=date(2026, 1, 1)
    )
    assert "under_6_months_not_allowed" not in _rules(facts, COUNTY)


@pytest.mark.django_db
def test_home_based_points_take_at_most_five_children_at_one_to_three() -> None:
    five = _site(places=5, classes=(ClassFacts("mixed", 5, 2, min_age_months=18),), home_based=True)
    assert _rules(five, COUNTY) == set()
    six = _site(places=6, classes=(ClassFacts("mixed", 6, 2, min_age_months=18),), home_based=True)
    assert "home_based_over_size" in _rules(six, COUNTY)
    thin = _site(places=4, classes=(ClassFacts("mixed", 4, 1, min_age_months=18),), home_based=True)
    assert "home_based_ratio_below_standard" in _rules(thin, COUNTY)
    # An institution that is not a home-based point is not held to the point's size.
    assert "home_based_over_size" not in _rules(
        _site(places=6, classes=(ClassFacts("mixed", 6, 2, min_age_months=18),)), COUNTY
    )
    # The region's own numbers.
    RegionRule.objects.create(
        key="home_based_max_children", region_id=COUNTY, value=6, effective_from=date(2026, 1, 1)
    )
    RegionRule.objects.create(
        key="home_based_ratio", region_id=COUNTY, value=4, effective_from=date(2026, 1, 1)
    )
    assert "home_based_over_size" not in _rules(six, COUNTY)
    assert "home_based_ratio_below_standard" not in _rules(thin, COUNTY)
