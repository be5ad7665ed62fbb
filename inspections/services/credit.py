"""Credit records (诚信档案): one entry per event, weighted by per-region rules, reason listed."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

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


def record_ban_credit(
    *, ban_id: int, person_id_hash: str, person_name: str, region_code: str, reason: str
) -> CreditRecord:
    """Hook for the ban register (registry): a lifetime ban weighs on the person's record."""
    return record_credit(
        source=CreditSource.BAN,
        source_id=ban_id,
        rule_key="credit_weight_ban",
        reason=reason,
        region_code=region_code,
        person_id_hash=person_id_hash,
        person_name=person_name,
    )


def record_credit_for_ban(sender: object, *, ban: Any, region_code: str, **_: Any) -> None:
    """Receiver of registry's `ban_recorded` (connected in InspectionsConfig.ready): the ban
    writes the person's credit record, weighted by the recording county's rule."""
    record_ban_credit(
        ban_id=ban.pk,
        person_id_hash=ban.id_hash,
        person_name=ban.name,
        region_code=region_code,
        reason=f"{ban.decision_ref} {ban.legal_basis}".strip(),
    )


def institution_credit(institution_id: int) -> dict[str, object]:
    """Total points deducted and the reasons, newest first."""
    rows = CreditRecord.objects.filter(institution_id=institution_id)
    return {
        "points": rows.aggregate(total=Sum("points"))["total"] or 0,
        "reasons": list(rows.values("created_at", "source", "points", "reason")),
    }
