"""Statistics figures (domain.md §7, api.md "Statistics") as pure aggregate queries.

Every figure is computed by ONE grouped query per region level: the rows of a region (a county,
or everything below a city/province via `region_id LIKE prefix%`) are grouped by a prefix of
their county code — the region's own prefix for the region itself, or the children's prefix
(`Substr(region_id, 1, 4)` for the cities of a province, the full county code for the counties of
a city) for the table of sub-regions. No query runs per institution or per child region, so
the query count does not depend on how many institutions there are.

Each `_xxx(prefix, group_len, ...)` returns `{group key: value}`; `region_figures` and
`child_figures` assemble them into the plain dicts the API, the pages and the exports share.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from inspections.models import Complaint, Finding, FindingStatus, Inspection, Severity
from registry.models import Filing, FilingStatus, Registration, RegistrationStatus
from subsidies.models import Claim, ClaimStatus, SchemeKind
from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import Region, RegionRule, RegionYear, ancestor_codes, code_prefix

# Statuses that count as a filed institution (the public register's set: filed, nonconforming,
# closing). Drafts, pending submissions and deregistered filings have no filed places.
FILED_STATUSES: tuple[str, ...] = tuple(Filing.PUBLIC_STATUSES)
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


def _grouped(qs: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
    # `region__code` is the FK column itself: LIKE 'prefix%' on region_id, no join.
    return (
        qs.filter(region__code__startswith=scope.prefix)
        .annotate(g=Substr("region_id", 1, scope.group_len))
        .values("g")
    )


def _rate(kept: int, cases: int) -> float | None:
    return round(kept / cases, 4) if cases else None


# --- the figures --------------------------------------------------------------------------------


def _places(scope: Scope) -> dict[str, dict[str, Any]]:
    """Filed institutions, filed places and inclusive (普惠) places in one grouped query."""
    rows = _grouped(Filing.objects.filter(status__in=FILED_STATUSES), scope).annotate(
        institutions=Count("id"),
        total_places=Sum("places", default=0),
        total_inclusive_places=Sum("places", filter=Q(inclusive=True), default=0),
        inclusive_institutions=Count("id", filter=Q(inclusive=True)),
        # free places the operators published (a one-to-one row: no fan-out).
        free_places=Sum("vacancy__free_places", default=0),
    )
    return {row.pop("g"): row for row in rows}


def _filings_by_status(scope: Scope) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for row in (
        _grouped(Filing.objects.all(), scope).annotate(n=Count("id")).values("g", "status", "n")
    ):
        result.setdefault(row["g"], {})[row["status"]] = row["n"]
    return result


def _clocks(scope: Scope, year: int, today: datetime.date) -> dict[str, dict[str, int]]:
    """The 5 / 15 working-day clocks of filings whose due date falls in `year`.

    Receipts: a case is a receipt issued, or a submission still waiting past its due date (late
    for sure); kept = issued on or before `receipt_due` (Beijing date). Conformity: a case is a
    decision (nonconforming / conforming) taken; kept = decided on or before `conformity_due`.
    An undecided filing past the 15 days conforms by silence and is no late notice.
    """
    issued_on = TruncDate("receipt_issued_at")  # current time zone: Asia/Shanghai
    decided_on = TruncDate("conformity_decided_at")
    receipt_case = Q(receipt_due__year=year) & (
        Q(receipt_issued_at__isnull=False) | Q(status=FilingStatus.SUBMITTED, receipt_due__lt=today)
    )
    conformity_case = Q(conformity_due__year=year, conformity_decided_at__isnull=False)
    rows = (
        _grouped(Filing.objects.all(), scope)
        .annotate(issued_on=issued_on, decided_on=decided_on)
        .values("g")
        .annotate(
            receipt_cases=Count("id", filter=receipt_case),
            receipt_kept=Count(
                "id",
                filter=receipt_case & Q(issued_on__isnull=False, issued_on__lte=F("receipt_due")),
            ),
            conformity_cases=Count("id", filter=conformity_case),
            conformity_kept=Count(
                "id", filter=conformity_case & Q(decided_on__lte=F("conformity_due"))
            ),
        )
    )
    return {row.pop("g"): row for row in rows}


def _registered_not_filed(scope: Scope) -> dict[str, int]:
    """Approved registrations whose institution has no submitted filing: a draft is not a
    filing (api.md 1.1, as the health inbox counts it), nor is a deregistered one."""
    has_filing = Filing.objects.filter(institution_id=OuterRef("institution_id")).exclude(
        status__in=(FilingStatus.DRAFT, FilingStatus.DEREGISTERED)
    )
    rows = (
        _grouped(
            Registration.objects.filter(status=RegistrationStatus.APPROVED).filter(
                ~Exists(has_filing)
            ),
            scope,
        )
        .annotate(n=Count("institution_id", distinct=True))
        .values("g", "n")
    )
    return {row["g"]: row["n"] for row in rows}


def _coverage(scope: Scope, year: int) -> dict[str, dict[str, int]]:
    """Filed institutions and how many of them had at least one visit in `year`."""
    visited = Inspection.objects.filter(
        institution_id=OuterRef("institution_id"), visited_on__year=year
    )
    rows = (
        _grouped(Filing.objects.filter(status__in=FILED_STATUSES), scope)
        .annotate(
            filed=Count("id"),
            visited=Count("id", filter=Q(Exists(visited))),
        )
        .values("g", "filed", "visited")
    )
    return {row.pop("g"): row for row in rows}


def _open_findings(scope: Scope, today: datetime.date) -> dict[str, dict[str, int]]:
    """Findings not yet verified, by severity, plus how many are past their deadline."""
    result: dict[str, dict[str, int]] = {}
    rows = (
        _grouped(Finding.objects.exclude(status=FindingStatus.VERIFIED), scope)
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)))
        .values("g", "severity", "n", "overdue")
    )
    for row in rows:
        bucket = result.setdefault(row["g"], {"overdue": 0})
        bucket[row["severity"]] = row["n"]
        bucket["overdue"] += row["overdue"]
    return result


def _complaints(scope: Scope, year: int, today: datetime.date) -> dict[str, dict[str, Any]]:
    """Complaints received in `year`: count, closed, open past their due date, mean days."""
    closed = Q(status__in=Complaint.CLOSED, closed_at__isnull=False)
    handling = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    rows = (
        _grouped(Complaint.objects.filter(created_at__year=year), scope)
        .annotate(
            received=Count("id"),
            closed=Count("id", filter=closed),
            open_overdue=Count("id", filter=~Q(status__in=Complaint.CLOSED) & Q(due_on__lt=today)),
            mean_handling=Avg(handling, filter=closed),
        )
        .values("g", "received", "closed", "open_overdue", "mean_handling")
    )
    result: dict[str, dict[str, Any]] = {}
    for row in rows:
        mean: datetime.timedelta | None = row.pop("mean_handling")
        row["mean_handling_days"] = round(mean.total_seconds() / 86400, 1) if mean else None
        result[row.pop("g")] = row
    return result


def _subsidy_paid(scope: Scope, year: int) -> dict[str, dict[str, Decimal]]:
    """Paid claims (status `paid`, paid in `year`) summed per scheme kind, in 元."""
    result: dict[str, dict[str, Decimal]] = {}
    rows = (
        _grouped(Claim.objects.filter(status=ClaimStatus.PAID, paid_at__year=year), scope)
        .annotate(total=Sum("amount"))
        .values("g", "kind", "total")
    )
    for row in rows:
        result.setdefault(row["g"], {})[row["kind"]] = row["total"] or Decimal("0")
    return result


def _population_and_targets(
    code: str, year: int, keys: list[str], on: datetime.date
) -> dict[str, tuple[int | None, float, dict[str, Any]]]:
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
    result: dict[str, tuple[int | None, float]] = {}
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
            population = sum(r["population"] for r in parts) if parts else None
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


def _provenance(row: dict[str, Any] | None) -> dict[str, Any]:
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


def _provenance_of_sum(parts: list[dict[str, Any]]) -> dict[str, Any]:
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
    places = _places(scope)
    by_status = _filings_by_status(scope)
    clocks = _clocks(scope, year, today)
    not_filed = _registered_not_filed(scope)
    coverage = _coverage(scope, year)
    findings = _open_findings(scope, today)
    complaints = _complaints(scope, year, today)
    paid = _subsidy_paid(scope, year)
    population = _population_and_targets(code, year, keys, today)
    result: dict[str, dict[str, Any]] = {}
    for key in keys:
        p = places.get(key, {})
        c = clocks.get(key, {})
        cov = coverage.get(key, {"filed": 0, "visited": 0})
        f = findings.get(key, {})
        pop, target, provenance = population[key]
        filed_places = int(p.get("total_places", 0) or 0)
        inclusive_places = int(p.get("total_inclusive_places", 0) or 0)
        result[key] = {
            "region": key.ljust(6, "0"),
            "year": year,
            "filed_institutions": int(p.get("institutions", 0)),
            "places": filed_places,
            "inclusive_places": inclusive_places,
            "inclusive_share": _rate(inclusive_places, filed_places),
            "free_places": int(p.get("free_places", 0) or 0),
            "population": pop,
            **provenance,
            "places_per_1000": round(filed_places / pop * PER, 2) if pop else None,
            "target_per_1000": target,
            "filings_by_status": {s: by_status.get(key, {}).get(s, 0) for s in FilingStatus.values},
            "receipts_on_time_rate": _rate(c.get("receipt_kept", 0), c.get("receipt_cases", 0)),
            "receipt_cases": c.get("receipt_cases", 0),
            "conformity_on_time_rate": _rate(
                c.get("conformity_kept", 0), c.get("conformity_cases", 0)
            ),
            "conformity_cases": c.get("conformity_cases", 0),
            "registered_not_filed": not_filed.get(key, 0),
            "inspection_coverage": _rate(cov["visited"], cov["filed"]),
            "visited_institutions": cov["visited"],
            "open_findings_by_severity": {s: f.get(s, 0) for s in Severity.values},
            "overdue_findings": f.get("overdue", 0),
            "complaints": complaints.get(
                key, {"received": 0, "closed": 0, "open_overdue": 0, "mean_handling_days": None}
            ),
            "subsidy_paid_by_scheme": {
                kind: paid.get(key, {}).get(kind, Decimal("0")) for kind in SchemeKind.values
            },
        }
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
