from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import Region, RegionRule, ancestor_codes, code_prefix

pytestmark = pytest.mark.django_db


def test_it_loads_the_national_table_from_the_package() -> None:
    assert Region.objects.filter(level=Region.Level.COUNTY).count() > 3000
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() >= 31
    lanshan = Region.objects.get(code="371103")
    assert lanshan.name == "岚山区"
    assert lanshan.parent_id == "371100"
    assert lanshan.parent.parent_id == "370000"
    assert lanshan.full_name == "山东省日照市岚山区"
    assert not Region.objects.filter(code="990000").exists()


def test_cities_without_districts_act_as_counties() -> None:
    assert Region.objects.get(code="441900").is_county_level  # 东莞市
    assert not Region.objects.get(code="371100").is_county_level


def test_reloading_is_idempotent() -> None:
    before = Region.objects.count()
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert Region.objects.count() == before
    assert "(0 new)" in out.getvalue()


def test_region_prefixes_and_ancestors() -> None:
    assert code_prefix("370000") == "37"
    assert code_prefix("371100") == "3711"
    assert code_prefix("371103") == "371103"
    assert ancestor_codes("371103") == ["371103", "371100", "370000"]
    assert Region.objects.within("371100").filter(code="371103").exists()
    assert not Region.objects.within("371100").filter(code="141023").exists()


def test_rules_fall_back_to_the_national_default() -> None:
    assert rules.value_for("receipt_working_days", "371103") == 5
    assert rules.value_for("for_profit_authority", "441900") == "scjg"


def test_only_lanshan_switches_the_name_rules_on() -> None:
    """Of the seeds only 岚政办字〔2024〕5号 requires 托育 and a mode in the name (domain §1)."""
    for key in ("name_requires_tuoyu", "name_requires_care_mode"):
        assert rules.value_for(key, "371103") is True
        for other in ("141023", "410402", "510411", "360102", "441900"):
            assert rules.value_for(key, other) is False, (key, other)
    row = RegionRule.objects.get(key="name_requires_tuoyu", region_id="371103")
    assert row.basis.startswith("岚政办字〔2024〕5号") and "托育" in row.quote


def test_the_most_specific_region_and_latest_date_win() -> None:
    RegionRule.objects.create(
        key="min_outdoor_m2_per_child",
        region_id="370000",
        value=2.5,
        effective_from=date(2020, 1, 1),
    )
    RegionRule.objects.create(
        key="min_outdoor_m2_per_child", region_id="371100", value=3, effective_from=date(2020, 1, 1)
    )
    RegionRule.objects.create(
        key="min_outdoor_m2_per_child", region_id="371100", value=4, effective_from=date(2030, 1, 1)
    )
    assert rules.value_for("min_outdoor_m2_per_child", "371103", on=date(2026, 1, 1)) == 3
    assert rules.value_for("min_outdoor_m2_per_child", "371103", on=date(2031, 1, 1)) == 4
    assert rules.value_for("min_outdoor_m2_per_child", "370102", on=date(2026, 1, 1)) == 2.5
    assert rules.values_for(
        ["min_outdoor_m2_per_child", "max_children_floor"], "371103", on=date(2031, 1, 1)
    ) == {
        "min_outdoor_m2_per_child": 4,
        "max_children_floor": 3,
    }
