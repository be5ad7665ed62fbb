"""A region's checklist items over the national template: on the routine checklist only, from
the day in force, for the region and the counties under it."""

from __future__ import annotations

from datetime import date

import pytest

from inspections.checklists import items_for
from inspections.models import ChecklistTemplate
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db


def test_a_city_adds_items_to_the_routine_checklist_of_its_counties() -> None:
    routine = ChecklistTemplate.objects.get(code="routine", version=1)
    quality = ChecklistTemplate.objects.get(code="quality", version=1)
    national = [item["code"] for item in routine.items]
    RegionRule.objects.create(
        region_id="371100",
        key="checklist_items",
        value=[
            {"code": "local_sunshade", "text": "户外场地设置遮阳设施"},
            {"code": "local_drill", "text": "每季度开展消防演练", "basis": "另一文件 第二条"},
        ],
        effective_from="2026-03-01",
        basis="测试文件 第三条",
    )
    assert [i["code"] for i in items_for(routine, "371103", date(2026, 2, 28))] == national
    items = items_for(routine, "371103", date(2026, 3, 1))
    assert [i["code"] for i in items] == [*national, "local_sunshade", "local_drill"]
    assert [i["basis"] for i in items[-2:]] == ["测试文件 第三条", "另一文件 第二条"]
    assert items_for(routine, "141023", date(2026, 3, 1)) == routine.items
    assert items_for(quality, "371103", date(2026, 3, 1)) == quality.items
