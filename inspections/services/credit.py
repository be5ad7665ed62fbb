"""Credit records (诚信档案): one entry per event, weighted by per-region rules, reason listed."""

from __future__ import annotations

from typing import Any

from tuoyu_portal.regions.rules import value_for

from ..models import CreditRecord, CreditSource


def record_credit(
    *,
    source: str,
    source_id: int,
    rule_key: str,
    reason: str,
    region_code: str,
    institution_id: int | None = None,
    person_id_hash: str = "",
    person_name: str = "",
) -> CreditRecord:
    """Add (idempotently) a credit entry; the points are the region's `rule_key` weight today."""
    record, _created = CreditRecord.objects.get_or_create(
        source=source,
        source_id=source_id,
        person_id_hash=person_id_hash,
        defaults={
            "institution_id": institution_id,
            "person_name": person_name,
            "region_id": region_code,
            "rule_key": rule_key,
            "points": int(value_for(rule_key, region_code)),
            "reason": reason[:300],
        },
    )
    return record


def record_credit_for_ban(sender: object, *, ban: Any, region_code: str, **_: Any) -> None:
    """Receiver of registry's `ban_recorded` (connected in InspectionsConfig.ready): the ban
    writes the person's credit record, weighted by the recording county's rule."""
    record_credit(
        source=CreditSource.BAN,
        source_id=ban.pk,
        rule_key="credit_weight_ban",
        reason=f"{ban.decision_ref} {ban.legal_basis}".strip(),
        region_code=region_code,
        person_id_hash=ban.id_hash,
        person_name=ban.name,
    )
