"""What each subsidies list may be filtered by: query parameter → how it is read
(tuoyu_portal/filters.py)."""

from __future__ import annotations

from subsidies.models import BatchStatus, ClaimStatus, SchemeKind
from tuoyu_portal.filters import Choice, FilterParams, NullBool, Related, Text

SCHEME_FILTERS: FilterParams = {"region": Text("region_id"), "kind": Choice(SchemeKind)}

CLAIM_FILTERS: FilterParams = {
    "status": Choice(ClaimStatus),
    "kind": Choice(SchemeKind),
    "filing": Related(),
    "audit_flagged": NullBool(),
}

PAYMENT_BATCH_FILTERS: FilterParams = {"status": Choice(BatchStatus)}
