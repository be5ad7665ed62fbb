"""The public summary of a filing's latest published inspection (register lists, facility page)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from registry.services.public_summary import set_latest_inspection

from ..models import Finding, FindingStatus, Inspection, Severity


def build_summary(filing_id: int) -> dict[str, Any] | None:
    """Published facts only: technical advice and unpublished findings never count."""
    inspection = (
        Inspection.objects.published()
        .filter(filing_id=filing_id)
        .order_by("-visited_on", "-id")
        .first()
    )
    if inspection is None:
        return None
    counts = (
        Finding.objects.filter(inspection=inspection)
        .published()
        .aggregate(
            total=Count("id"),
            unresolved=Count("id", filter=~Q(status=FindingStatus.VERIFIED)),
            **{s: Count("id", filter=Q(severity=s)) for s in Severity.values},
        )
    )
    return {
        "visited_on": inspection.visited_on.isoformat(),
        "kind": inspection.kind,
        "kind_display": str(inspection.get_kind_display()),
        "findings": counts["total"],
        "findings_by_severity": {s: counts[s] for s in Severity.values},
        "unresolved_findings": counts["unresolved"],
        "quality_grade": inspection.quality_grade or None,
    }


def refresh_summary(filing_id: int) -> None:
    set_latest_inspection(filing_id, build_summary(filing_id))
