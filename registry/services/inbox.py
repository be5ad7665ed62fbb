"""Receiving pushed registration events into the county health inbox (exactly once per key)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import (
    Filing,
    FilingStatus,
    FilingTransition,
    HealthInboxEntry,
    InboxEvent,
    Registration,
)
from tuoyu_portal import crypto, workflow
from tuoyu_portal.regions.models import Region
from tuoyu_portal.regions.rules import value_for

from .changes import end_tenures

logger = logging.getLogger(__name__)

EVENT_TYPES = {
    "registration.approved": InboxEvent.APPROVED,
    "registration.cancelled": InboxEvent.CANCELLED,
}

# On cancellation a running filing ends: an accepted one goes through 注销中, an unfinished one
# is simply closed (domain.md §2; transitions checked against Filing.TRANSITIONS).
_CANCEL_TARGET: dict[str, str] = {
    FilingStatus.FILED: FilingStatus.CLOSING,
    FilingStatus.NONCONFORMING: FilingStatus.CLOSING,
    FilingStatus.DRAFT: FilingStatus.DEREGISTERED,
    FilingStatus.SUBMITTED: FilingStatus.DEREGISTERED,
    FilingStatus.SUPPLEMENT_REQUESTED: FilingStatus.DEREGISTERED,
}


def _id_fields(rep: dict[str, Any]) -> dict[str, str]:
    """Encrypted/masked/hash ID fields at rest; a plaintext `id_number` (HTTP) is re-encrypted
    with our key and never stored in the payload."""
    plain = rep.pop("id_number", None)
    if plain:
        return {
            "legal_representative_id_encrypted": crypto.encrypt(crypto.normalise_id(plain)),
            "legal_representative_id_masked": crypto.mask_id(plain),
            "legal_representative_id_hash": crypto.keyed_hash(plain),
        }
    return {
        "legal_representative_id_encrypted": rep.get("id_number_encrypted") or "",
        "legal_representative_id_masked": rep.get("id_masked") or "",
        "legal_representative_id_hash": rep.get("id_hash") or "",
    }


def receive_event(
    idempotency_key: str,
    event_type: str,
    payload: dict[str, Any],
    *,
    same_deployment: bool = True,
) -> tuple[HealthInboxEntry, bool]:
    """Apply a pushed event once: (entry, True) the first time, (entry, False) for a duplicate.

    INSERT … ON CONFLICT DO NOTHING semantics: concurrent deliveries of the same key race on the
    unique index; the loser's savepoint rolls back and it answers "duplicate".
    """
    event = EVENT_TYPES[event_type]
    payload = dict(payload)
    rep = dict(payload.get("legal_representative") or {})
    id_fields = _id_fields(rep)
    payload["legal_representative"] = {k: v for k, v in rep.items() if k != "id_number"}
    if "id_number_encrypted" not in payload["legal_representative"]:
        payload["legal_representative"]["id_number_encrypted"] = id_fields[
            "legal_representative_id_encrypted"
        ]
    ref = int(payload["registration_id"])
    registration_id = (
        Registration.objects.filter(pk=ref).values_list("pk", flat=True).first()
        if same_deployment
        else None
    )
    approved_on = payload.get("approved_on")
    # Checked now, not at commit: an unknown county must fail this delivery (and be retried or
    # dead-lettered), not poison the transaction with a deferred FK error.
    region = Region.objects.get(pk=payload["region"])
    with transaction.atomic():
        existing = HealthInboxEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            HealthInboxEntry.objects.filter(pk=existing.pk).update(receipts=F("receipts") + 1)
            return existing, False
        try:
            with transaction.atomic():
                entry = HealthInboxEntry.objects.create(
                    idempotency_key=idempotency_key,
                    event=event,
                    registration_id=registration_id,
                    registration_ref=ref,
                    credit_code=payload.get("credit_code") or "",
                    name=payload.get("name") or "",
                    region=region,
                    address=payload.get("address") or "",
                    legal_representative_name=rep.get("name") or "",
                    authority=payload.get("authority") or "",
                    approved_on=datetime.date.fromisoformat(approved_on) if approved_on else None,
                    payload=payload,
                    **id_fields,
                )
        except IntegrityError:
            existing = HealthInboxEntry.objects.get(idempotency_key=idempotency_key)
            HealthInboxEntry.objects.filter(pk=existing.pk).update(receipts=F("receipts") + 1)
            return existing, False
        if event == InboxEvent.CANCELLED:
            _close_filings(entry, reason=payload.get("reason") or "")
    return entry, True


def _close_filings(entry: HealthInboxEntry, *, reason: str) -> None:
    """The registration was cancelled: move the institution's live filings towards closure."""
    if not entry.credit_code:
        return
    filings = (
        Filing.objects.select_for_update()
        .filter(institution__credit_code=entry.credit_code)
        .exclude(status__in=[FilingStatus.DEREGISTERED, FilingStatus.CLOSING])
    )
    note = _("登记机关已注销登记（推送事件 %(key)s）") % {"key": entry.idempotency_key}
    if reason:
        note = f"{note}：{reason}"
    for filing in filings:
        target = _CANCEL_TARGET.get(filing.status)
        if target is None or not workflow.can_become(filing, target):
            continue
        workflow.record_transition(
            FilingTransition,
            filing,
            to=target,
            actor=None,
            reason=note,
            details={"idempotency_key": entry.idempotency_key, "event": entry.event},
        )
        filing.status = target
        fields = ["status", "updated_at"]
        if target == FilingStatus.CLOSING:
            # 注销中 is not open-ended: the bureau or the operator must finish it by this day.
            days = int(value_for("closing_deadline_days", filing.region_id))
            filing.closing_due = timezone.localdate() + datetime.timedelta(days=days)
            fields.append("closing_due")
        else:
            end_tenures(filing, on=timezone.localdate())
        filing.save(update_fields=fields)
        if target == FilingStatus.CLOSING:  # the facility's watchers hear of it
            from registry.services.watches import record_public_change

            record_public_change(filing, kind="closing", detail=str(note))
