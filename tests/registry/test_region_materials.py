"""A region's materials list over the national one (25号 §8): added and no-longer-required
materials, on the day they are in force."""

from __future__ import annotations

from datetime import date

import pytest

from registry import materials
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db

NATIONAL = ["license", "site_proof", "staff_credentials", "health_evaluation", "fire_safety"]


def _rule(key: str, value: object, start: str = "2026-01-01") -> None:
    RegionRule.objects.create(
        region_id="371100", key=key, value=value, effective_from=start, basis="测试文件 第一条"
    )


def test_the_national_list_is_the_default() -> None:
    assert materials.required_kinds("none", "371103") == NATIONAL
    assert materials.required_kinds("on_site", "371103") == [*NATIONAL, "food_license"]


def test_a_city_adds_and_drops_materials_for_its_counties_from_the_day_in_force() -> None:
    _rule("materials_extra", [{"code": "local_pledge", "label": "安全承诺书"}])
    _rule("materials_not_required", ["fire_safety"])
    before = materials.required_kinds("none", "371103", date(2025, 12, 31))
    assert before == NATIONAL
    kinds = materials.required_kinds("none", "371103", date(2026, 1, 1))
    assert kinds == [*NATIONAL[:-1], "other"]
    missing = materials.missing_materials("none", NATIONAL[:-1], "371103", date(2026, 1, 1))
    assert [(m.kind, m.code, str(m.label)) for m in missing] == [
        ("other", "local_pledge", "安全承诺书")
    ]
    assert not materials.missing_materials("none", kinds, "371103", date(2026, 1, 1))
