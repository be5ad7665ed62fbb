"""Sections of the public facility page (settings.PUBLIC_FACILITY_SECTIONS).

双公示: published inspections, their published findings with correction status, and penalties
with the operator's reply. Technical advice, unpublished rows, complainants and inspectors'
names never appear here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from registry.models import Filing

from .models import EnforcementAction, Finding, Inspection


def published_findings(filing: Filing) -> list[Finding]:
    return list(
        Finding.objects.published()
        .filter(inspection__filing=filing)
        .select_related("inspection")
        .order_by("-inspection__visited_on", "id")[:50]
    )


def facility_sections(filing: Filing) -> list[dict[str, Any]]:
    """Return [{"title", "template", "context"}] for the facility page of `filing`."""
    inspections = list(
        Inspection.objects.published().filter(filing=filing).order_by("-visited_on", "-id")[:10]
    )
    findings = published_findings(filing)
    penalties = list(
        EnforcementAction.objects.published().filter(institution_id=filing.institution_id)[:20]
    )
    return [
        {
            "title": _("监督检查结果"),
            "template": "inspections/public/inspections.html",
            "context": {"inspections": inspections, "findings": findings},
        },
        {
            "title": _("行政处罚公示（双公示）"),
            "template": "inspections/public/penalties.html",
            "context": {"penalties": penalties},
        },
    ]
