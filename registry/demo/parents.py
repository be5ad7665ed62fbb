"""Demo data for parents: free places for the demo operator's filed institution."""

from __future__ import annotations

from typing import TextIO


def seed(stdout: TextIO) -> None:
    """Publish a free place per class type of the demo operator's first filed filing (idempotent:
    an institution that has published figures keeps them)."""
    from registry.models import FacilityVacancy, Filing, FilingStatus
    from registry.services.vacancies import publish_vacancies
    from registry.vacancies import filed_places_by_class
    from tuoyu_portal.accounts.models import User

    operator = User.objects.filter(username="operator").first()
    if operator is None:
        return
    filing = (
        Filing.objects.filter(status=FilingStatus.FILED, institution__memberships__user=operator)
        .order_by("id")
        .first()
    )
    if filing is None or FacilityVacancy.objects.filter(filing=filing).exists():
        return
    filed = filed_places_by_class(filing)
    if not filed:
        return
    publish_vacancies(
        filing,
        actor=operator,
        vacancies=[{"class_type": c, "free_places": min(2, n)} for c, n in filed.items()],
    )
    stdout.write(f"registry: demo free places published for {filing.filing_number}\n")
