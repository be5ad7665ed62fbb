"""Reads other apps may use (subsidies checks eligibility against these)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .models import EnforcementAction, Finding, Inspection, InspectionKind


def has_open_critical_finding(institution_id: int) -> bool:
    """A critical finding that is not yet verified (blocks subsidy claims)."""
    return Finding.objects.filter(institution_id=institution_id).open_critical().exists()


def has_enforcement_in_force(institution_id: int, today: date | None = None) -> bool:
    """An enforcement action that is neither lifted nor expired."""
    today = today or timezone.localdate()
    return EnforcementAction.objects.filter(institution_id=institution_id).in_force(today).exists()


def latest_quality_grade(institution_id: int) -> str | None:
    """The grade of the institution's latest published quality assessment (A–D), or None."""
    return (
        Inspection.objects.filter(
            institution_id=institution_id, kind=InspectionKind.QUALITY, published=True
        )
        .exclude(quality_grade="")
        .order_by("-visited_on", "-id")
        .values_list("quality_grade", flat=True)
        .first()
    )
