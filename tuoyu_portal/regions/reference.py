"""Reference values from the five seed notices (domain.md): rule rows, population, targets.

Idempotent; run by `load_regions`. Rule values are no longer seeded here: fixtures/rules/ holds
them with their sources and `load_rules` loads them.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from .models import Region, RegionYear

SEED_REGIONS = ["371103", "141023", "410400", "510411", "360000"]  # 岚山 襄汾 平顶山 仁和 江西
EPOCH = date(2019, 1, 1)


def seed_reference_rules() -> None:
    present = set(
        Region.objects.filter(code__in=SEED_REGIONS + ["100000"]).values_list("code", flat=True)
    )
    # Rule rows come from fixtures/rules/ (`load_rules`), each with its source; none are written here.
    # Targets of the two demo counties' notices (domain §7); population from fixtures/population.
    targets = {
        "371103": (Decimal("4.72"), "目标：岚山区通知（2025年4.72）"),
        "141023": (Decimal("4.50"), "目标：全国目标4.5"),
    }
    for code, (target, note) in targets.items():
        if code not in present:
            continue
        for year in (2025, 2026):
            RegionYear.objects.get_or_create(
                region_id=code,
                year=year,
                defaults={"target_places_per_1000": target, "note": note},
            )
    load_population()


POPULATION_CSV = Path(settings.BASE_DIR) / "fixtures" / "population" / "population.csv"


def load_population(path: Path = POPULATION_CSV) -> int:
    """Population and 0–3 population per region-year from the cited file; the file is the
    authority, so existing rows take its figures (targets and notes stay). → rows written."""
    if not path.exists():
        return 0
    known = set(Region.objects.values_list("code", flat=True))
    written = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["region"] not in known:
                continue
            RegionYear.objects.update_or_create(
                region_id=row["region"],
                year=int(row["year"]),
                defaults={
                    "population": int(row["population"]),
                    "population_estimated": row["population_estimated"] == "true",
                    "under3_population": int(row["under3_population"])
                    if row["under3_population"]
                    else None,
                    "under3_estimated": row["under3_estimated"] == "true",
                    "population_source": row["source"][:300],
                    "estimate_method": row["method"][:500],
                },
            )
            written += 1
    return written
