"""Reads of free places: the public shape and when figures count as stale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from tuoyu_portal.regions import rules

from .models import FacilityVacancy, Filing


class StaleDays:
    """The `vacancy_stale_days` rule per region, asked once per region and page."""

    def __init__(self) -> None:
        self._days: dict[str, int] = {}

    def __call__(self, region_code: str) -> int:
        if region_code not in self._days:
            self._days[region_code] = int(rules.value_for("vacancy_stale_days", region_code))
        return self._days[region_code]


def updated_on(updated_at: datetime | None) -> date | None:
    return timezone.localdate(updated_at) if updated_at is not None else None


def is_stale(updated_at: datetime | None, stale_days: int, today: date | None = None) -> bool:
    """Figures older than the rule's days are shown as stale (not hidden): parents call first."""
    if updated_at is None:
        return False
    today = today or timezone.localdate()
    return timezone.localdate(updated_at) < today - timedelta(days=stale_days)


def public_fields(
    *,
    by_class: list[dict[str, Any]] | None,
    updated_at: datetime | None,
    stale_days: Callable[[], int],
) -> dict[str, Any]:
    """The `vacancies`, `vacancies_updated_on` and `vacancies_stale` of a public facility.

    `stale_days` is asked only when figures exist: a page without any costs no rule query.
    """
    on = updated_on(updated_at)
    return {
        "vacancies": list(by_class or []),
        "vacancies_updated_on": on.isoformat() if on else None,
        "vacancies_stale": updated_at is not None and is_stale(updated_at, stale_days()),
    }


def vacancy_of(filing: Filing) -> FacilityVacancy | None:
    try:
        return filing.vacancy
    except FacilityVacancy.DoesNotExist:
        return None


def filed_places_by_class(filing: Filing) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in filing.classes.all():
        totals[row.class_type] = totals.get(row.class_type, 0) + row.children
    return totals
