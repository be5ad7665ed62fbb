"""Inspections' part of every region's statistics (settings.DASHBOARD_FIGURE_SOURCES): visit
coverage of filed institutions, open findings by severity, and complaints. One grouped query
per figure (see tuoyu_portal/dashboard/figures.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q

from inspections.models import Complaint, Finding, FindingStatus, Inspection, Severity
from registry.figures import FILED_STATUSES
from registry.models import Filing
from tuoyu_portal.dashboard.figures import FigureSource, Scope, grouped, rate


def _coverage(scope: Scope, year: int) -> dict[str, dict[str, int]]:
    """Filed institutions and how many of them had at least one visit in `year`."""
    visited = Inspection.objects.filter(
        institution_id=OuterRef("institution_id"), visited_on__year=year
    )
    rows = (
        grouped(Filing.objects.filter(status__in=FILED_STATUSES), scope)
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
        grouped(Finding.objects.exclude(status=FindingStatus.VERIFIED), scope)
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
        grouped(Complaint.objects.filter(created_at__year=year), scope)
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


def collect(
    scope: Scope, keys: list[str], year: int, today: datetime.date
) -> dict[str, dict[str, Any]]:
    coverage = _coverage(scope, year)
    findings = _open_findings(scope, today)
    complaints = _complaints(scope, year, today)
    result: dict[str, dict[str, Any]] = {}
    for key in keys:
        cov = coverage.get(key, {"filed": 0, "visited": 0})
        f = findings.get(key, {})
        result[key] = {
            "inspection_coverage": rate(cov["visited"], cov["filed"]),
            "visited_institutions": cov["visited"],
            "open_findings_by_severity": {s: f.get(s, 0) for s in Severity.values},
            "overdue_findings": f.get("overdue", 0),
            "complaints": complaints.get(
                key, {"received": 0, "closed": 0, "open_overdue": 0, "mean_handling_days": None}
            ),
        }
    return result


SOURCE = FigureSource(
    collect=collect, item_labels={"open_findings_by_severity": dict(Severity.choices)}
)
