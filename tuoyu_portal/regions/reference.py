"""Reference values from the five seed notices (domain.md): rule rows, population, targets.

Idempotent; run by `load_regions`. Rule values are no longer seeded here: fixtures/rules/ holds
them with their sources and `load_rules` loads them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .models import Region, RegionYear

SEED_REGIONS = ["371103", "141023", "410400", "510411", "360000"]  # 岚山 襄汾 平顶山 仁和 江西
EPOCH = date(2019, 1, 1)


def seed_reference_rules() -> None:
    present = set(
        Region.objects.filter(code__in=SEED_REGIONS + ["100000"]).values_list("code", flat=True)
    )
    # Rule rows come from fixtures/rules/ (`load_rules`), each with its source; none are written here.
    # 岚山: reference targets and population (domain §7).
    if "371103" in present:
        RegionYear.objects.get_or_create(
            region_id="371103",
            year=2025,
            defaults={
                "population": 460000,
                "target_places_per_1000": Decimal("4.72"),
                "note": "目标：岚山区通知（2025年4.72）；人口为演示值，请按统计公报更新",
            },
        )
        RegionYear.objects.get_or_create(
            region_id="371103",
            year=2026,
            defaults={
                "population": 460000,
                "target_places_per_1000": Decimal("4.72"),
                "note": "沿用2025年目标；人口为演示值",
            },
        )
    if "141023" in present:
        for year in (2025, 2026):
            RegionYear.objects.get_or_create(
                region_id="141023",
                year=year,
                defaults={
                    "population": 430000,
                    "target_places_per_1000": Decimal("4.50"),
                    "note": "全国目标4.5；人口为演示值",
                },
            )
