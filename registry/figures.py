"""Registry's part of every region's statistics (settings.DASHBOARD_FIGURE_SOURCES): filed
institutions and places, filings by status, the 5 / 15 working-day clocks, and approved
registrations not yet filed. One grouped query per figure (see tuoyu_portal/dashboard/figures.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from registry.models import Filing, FilingStatus, Registration, RegistrationStatus
from tuoyu_portal.dashboard.figures import FigureSource, Scope, grouped, rate

# Statuses that count as a filed institution (the public register's set: filed, nonconforming,
# closing). Drafts, pending submissions and deregistered filings have no filed places.
FILED_STATUSES: tuple[str, ...] = tuple(Filing.PUBLIC_STATUSES)


def _places(scope: Scope) -> dict[str, dict[str, Any]]:
    """Filed institutions, filed places and inclusive (普惠) places in one grouped query."""
    rows = grouped(Filing.objects.filter(status__in=FILED_STATUSES), scope).annotate(
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
        grouped(Filing.objects.all(), scope).annotate(n=Count("id")).values("g", "status", "n")
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
        grouped(Filing.objects.all(), scope)
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
        grouped(
            Registration.objects.filter(status=RegistrationStatus.APPROVED).filter(
                ~Exists(has_filing)
            ),
            scope,
        )
        .annotate(n=Count("institution_id", distinct=True))
        .values("g", "n")
    )
    return {row["g"]: row["n"] for row in rows}


def collect(
    scope: Scope, keys: list[str], year: int, today: datetime.date
) -> dict[str, dict[str, Any]]:
    places = _places(scope)
    by_status = _filings_by_status(scope)
    clocks = _clocks(scope, year, today)
    not_filed = _registered_not_filed(scope)
    result: dict[str, dict[str, Any]] = {}
    for key in keys:
        p = places.get(key, {})
        c = clocks.get(key, {})
        filed_places = int(p.get("total_places", 0) or 0)
        inclusive_places = int(p.get("total_inclusive_places", 0) or 0)
        result[key] = {
            "filed_institutions": int(p.get("institutions", 0)),
            "places": filed_places,
            "inclusive_places": inclusive_places,
            "inclusive_share": rate(inclusive_places, filed_places),
            "free_places": int(p.get("free_places", 0) or 0),
            "filings_by_status": {s: by_status.get(key, {}).get(s, 0) for s in FilingStatus.values},
            "receipts_on_time_rate": rate(c.get("receipt_kept", 0), c.get("receipt_cases", 0)),
            "receipt_cases": c.get("receipt_cases", 0),
            "conformity_on_time_rate": rate(
                c.get("conformity_kept", 0), c.get("conformity_cases", 0)
            ),
            "conformity_cases": c.get("conformity_cases", 0),
            "registered_not_filed": not_filed.get(key, 0),
        }
    return result


SOURCE = FigureSource(
    collect=collect, item_labels={"filings_by_status": dict(FilingStatus.choices)}
)
