"""Statistics figures (domain.md §7, api.md "Statistics") as pure aggregate queries.

Every figure is computed by ONE grouped query per region level: the rows of a region (a county,
or everything below a city/province via `region_id LIKE prefix%`) are grouped by a prefix of
their county code — the region's own prefix for the region itself, or the children's prefix
(`Substr(region_id, 1, 4)` for the cities of a province, the full county code for the counties of
a city) for the table of sub-regions. No query runs per institution or per child region, so
the query count does not depend on how many institutions there are.

The apps contribute their figures (settings.DASHBOARD_FIGURE_SOURCES, a `FigureSource` each,
from their own tables); the platform adds population and targets. Each part returns
`{group key: figures}`; `region_figures` and `child_figures` assemble them into the plain dicts
the API, the pages and the exports share.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import Region, RegionRule, RegionYear, ancestor_codes, code_prefix

TARGET_RULE = "target_places_per_1000"
PER = 1000


@dataclass(frozen=True)
class Scope:
    """Rows under `prefix`, grouped by the first `group_len` characters of their region code."""

    prefix: str
    group_len: int


def child_group_len(code: str) -> int | None:
    """Length of the child prefix under `code`: province → cities (4), city → counties (6)."""
    prefix = code_prefix(code)
    if len(prefix) >= 6:
        return None
    return len(prefix) + 2


def current_year() -> int:
    """The current Beijing year (TIME_ZONE is Asia/Shanghai)."""
    return timezone.localdate().year


def grouped(qs: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
    # `region__code` is the FK column itself: LIKE 'prefix%' on region_id, no join.
    return (
        qs.filter(region__code__startswith=scope.prefix)
        .annotate(g=Substr("region_id", 1, scope.group_len))
        .values("g")
    )


def rate(kept: int, cases: int) -> float | None:
    return round(kept / cases, 4) if cases else None


@dataclass(frozen=True)
class FigureSource:
    """What an app contributes to every region's figures (settings.DASHBOARD_FIGURE_SOURCES).

    `collect(scope, keys, year, today)` returns, for every group key, the app's figures (zeros
    for a group without rows), from one grouped query per figure; `item_labels` names the
    items of its dict-valued figures (status, severity, scheme kind) for the charts.
    """

    collect: Callable[[Scope, list[str], int, datetime.date], dict[str, dict[str, Any]]]
    item_labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def figure_sources() -> list[FigureSource]:
    """The apps' contributions, by dotted path, imported when used (the platform imports no
    app)."""
    return [import_string(path) for path in settings.DASHBOARD_FIGURE_SOURCES]


def item_labels() -> dict[str, Mapping[str, Any]]:
    """Figure name -> {item code: label} over every source."""
    labels: dict[str, Mapping[str, Any]] = {}
    for source in figure_sources():
        labels.update(source.item_labels)
    return labels


# --- population and targets ---------------------------------------------------------------------


class Provenance(TypedDict):
    """Where a region's population figures come from (the dashboard's footnote)."""

    population_estimated: bool
    under3_population: int | None
    under3_estimated: bool
    population_source: str
    estimate_method: str


def _population_and_targets(
    code: str, year: int, keys: list[str], on: datetime.date
) -> dict[str, tuple[int | None, float, Provenance]]:
    """Population, target and the population's provenance per group key, from two queries.

    Population: the region's own RegionYear row, else the sum of its county-level rows (then
    estimated if any part is, and its source says it is a sum). Target:
    the region's own RegionYear target, else the rule `target_places_per_1000` (region, then
    ancestors, then the national default 4.5).
    """
    prefix = code_prefix(code)
    year_rows = list(
        RegionYear.objects.filter(region__code__startswith=prefix, year=year).values(
            "region_id",
            "population",
            "target_places_per_1000",
            "population_estimated",
            "under3_population",
            "under3_estimated",
            "population_source",
            "estimate_method",
            "region__level",
            "region__county_level",
        )
    )
    ancestors = ancestor_codes(code)
    rule_rows = list(
        RegionRule.objects.filter(key=TARGET_RULE, effective_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(Q(region_id__in=ancestors) | Q(region__code__startswith=prefix))
        .order_by("-effective_from")
        .values_list("region_id", "value")
    )
    own = {row["region_id"]: row for row in year_rows}
    result: dict[str, tuple[int | None, float, Provenance]] = {}
    for key in keys:
        region_code = key.ljust(6, "0")
        row = own.get(region_code)
        population: int | None = row["population"] if row and row["population"] else None
        info = _provenance(row) if population is not None else _provenance(None)
        if population is None:
            parts = [
                r
                for r in year_rows
                if r["region_id"].startswith(key)
                and (r["region__level"] == Region.Level.COUNTY or r["region__county_level"])
                and r["population"]
            ]
            population = sum(r["population"] or 0 for r in parts) if parts else None
            if parts:
                info = _provenance_of_sum(parts)
        target: float | None = (
            float(row["target_places_per_1000"])
            if row and row["target_places_per_1000"] is not None
            else None
        )
        if target is None:
            target = float(rules.RULES[TARGET_RULE].default)
            for candidate in ancestor_codes(region_code):
                found = next((v for r, v in rule_rows if r == candidate), None)
                if found is not None:
                    target = float(found)
                    break
        result[key] = (population, target, info)
    return result


def _provenance(row: Mapping[str, Any] | None) -> Provenance:
    """Where a region's own population figures come from, for the dashboard's footnote."""
    if row is None:
        return {
            "population_estimated": False,
            "under3_population": None,
            "under3_estimated": False,
            "population_source": "",
            "estimate_method": "",
        }
    return {
        "population_estimated": row["population_estimated"],
        "under3_population": row["under3_population"],
        "under3_estimated": row["under3_estimated"],
        "population_source": row["population_source"],
        "estimate_method": row["estimate_method"],
    }


def _provenance_of_sum(parts: Sequence[Mapping[str, Any]]) -> Provenance:
    """A figure summed from county rows: estimated if any part is (and counties without a row
    are missing from it, which the source says)."""
    under3 = [r["under3_population"] for r in parts if r["under3_population"]]
    return {
        "population_estimated": any(r["population_estimated"] for r in parts),
        "under3_population": sum(under3) if under3 else None,
        "under3_estimated": any(r["under3_estimated"] for r in parts),
        "population_source": gettext("下辖有数据的%(n)s个县（市、区）之和") % {"n": len(parts)},
        "estimate_method": "；".join(
            dict.fromkeys(r["estimate_method"] for r in parts if r["estimate_method"])
        ),
    }


# --- assembly -----------------------------------------------------------------------------------


def _collect(code: str, scope: Scope, keys: list[str], year: int) -> dict[str, dict[str, Any]]:
    today = timezone.localdate()
    contributed = [source.collect(scope, keys, year, today) for source in figure_sources()]
    population = _population_and_targets(code, year, keys, today)
    result: dict[str, dict[str, Any]] = {}
    for key in keys:
        pop, target, provenance = population[key]
        row: dict[str, Any] = {
            "region": key.ljust(6, "0"),
            "year": year,
            "population": pop,
            **provenance,
            "target_per_1000": target,
        }
        for part in contributed:
            row.update(part[key])
        # Filed places are registry's figure; set against the population they are the measure.
        filed_places = int(row.get("places", 0))
        row["places_per_1000"] = round(filed_places / pop * PER, 2) if pop else None
        result[key] = row
    return result


def region_figures(code: str, year: int | None = None) -> dict[str, Any]:
    """Every figure of one region (a county, or a city/province with everything below it)."""
    year = year or current_year()
    prefix = code_prefix(code)
    figures = _collect(code, Scope(prefix, len(prefix)), [prefix], year)[prefix]
    figures["region"] = code
    return figures


def child_figures(
    code: str, year: int | None = None, *, counties: bool = False
) -> list[dict[str, Any]]:
    """The figures of each child region of `code` (cities of a province, counties of a city),
    or with `counties=True` of every county-level region below `code`.

    One grouped query per figure for all children together; children without rows get zeros.
    """
    year = year or current_year()
    group_len = 6 if counties and len(code_prefix(code)) < 6 else child_group_len(code)
    if group_len is None:
        return []
    regions = Region.objects.filter(active=True).order_by("code")
    if counties:
        regions = (
            regions.within(code)
            .filter(Q(level=Region.Level.COUNTY) | Q(county_level=True))
            .exclude(code=code)
        )
    else:
        regions = regions.filter(parent_id=code)
    children = list(regions.values("code", "name"))
    keys = [child["code"][:group_len] for child in children]
    figures = _collect(code, Scope(code_prefix(code), group_len), keys, year)
    rows = []
    for child, key in zip(children, keys, strict=True):
        row = figures[key]
        row["region"] = child["code"]
        row["region_name"] = child["name"]
        rows.append(row)
    return rows


def public_subset(figures: dict[str, Any]) -> dict[str, Any]:
    """The anonymised aggregate subset for the public: no names, no personal data, no rows."""
    return {key: figures[key] for key in PUBLIC_KEYS if key in figures}


PUBLIC_KEYS: tuple[str, ...] = (
    "region",
    "region_name",
    "year",
    "filed_institutions",
    "places",
    "population",
    "places_per_1000",
    "target_per_1000",
    "inclusive_share",
    "receipts_on_time_rate",
    "conformity_on_time_rate",
)
