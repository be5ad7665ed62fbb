"""What each inspections list may be filtered by: query parameter → how it is read
(tuoyu_portal/filters.py)."""

from __future__ import annotations

from inspections.models import (
    ComplaintStatus,
    CorrectionStatus,
    CreditSource,
    EnforcementKind,
    FindingStatus,
    InspectionKind,
    Severity,
)
from tuoyu_portal.filters import Choice, FilterParams, Related

INSPECTION_FILTERS: FilterParams = {
    "kind": Choice(InspectionKind),
    "filing": Related(),
    "institution": Related(),
}

FINDING_FILTERS: FilterParams = {
    "status": Choice(FindingStatus),
    "severity": Choice(Severity),
    "inspection": Related(),
    "institution": Related(),
}

COMPLAINT_FILTERS: FilterParams = {"status": Choice(ComplaintStatus)}

ENFORCEMENT_ACTION_FILTERS: FilterParams = {
    "kind": Choice(EnforcementKind),
    "institution": Related(),
    "correction_status": Choice(CorrectionStatus),
}

CREDIT_RECORD_FILTERS: FilterParams = {"institution": Related(), "source": Choice(CreditSource)}
