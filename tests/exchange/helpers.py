"""Helpers for exchange tests: approving through the outbox until registry services exist."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from registry.models import Registration, RegistrationStatus
from tests import factories
from tuoyu_portal.exchange import outbox
from tuoyu_portal.exchange.models import OutboxEvent


def payload_for(reg: Registration, event: str) -> dict[str, Any]:
    """The payload agreed with the registration engineer (registry.services.registrations)."""
    return {
        "registration_id": reg.pk,
        "event": event,
        "credit_code": reg.credit_code,
        "name": reg.name,
        "legal_nature": reg.legal_nature,
        "care_modes": list(reg.care_modes),
        "address": reg.address,
        "region": reg.region_id,
        "business_scope": reg.business_scope,
        "legal_representative": {
            "name": reg.legal_representative_name,
            "id_type": "resident_id",
            "id_number_encrypted": reg.legal_representative_id_encrypted,
            "id_masked": reg.legal_representative_id_masked,
            "id_hash": reg.legal_representative_id_hash,
        },
        "authority": reg.authority,
        "approved_on": reg.approved_on.isoformat() if reg.approved_on else None,
        "decided_at": reg.decided_at.isoformat() if reg.decided_at else None,
        "status": reg.status,
    }


def credit_code(n: int) -> str:
    """A distinct 18-character code per n (uniqueness is what matters for these tests)."""
    return f"91371103MA{n:07d}X"


def approve(reg: Registration, *, code: str | None = None) -> OutboxEvent:
    """Approve and enqueue in one transaction, as registry.services.registrations will."""
    with transaction.atomic():
        reg.status = RegistrationStatus.APPROVED
        reg.credit_code = code or reg.credit_code or credit_code(reg.pk)
        reg.decided_at = timezone.now()
        reg.approved_on = reg.approved_on or timezone.localdate()
        reg.save()
        return outbox.enqueue(
            event_type="registration.approved",
            region_code=reg.region_id,
            aggregate_id=reg.pk,
            payload=payload_for(reg, "approved"),
        )


def cancel(reg: Registration) -> OutboxEvent:
    with transaction.atomic():
        reg.status = RegistrationStatus.CANCELLED
        reg.save()
        payload = payload_for(reg, "cancelled")
        payload["reason"] = "举办者申请注销"
        return outbox.enqueue(
            event_type="registration.cancelled",
            region_code=reg.region_id,
            aggregate_id=reg.pk,
            payload=payload,
        )


def approved_event(region_id: str = "371103", **kwargs: Any) -> OutboxEvent:
    inst = factories.InstitutionFactory(region_id=region_id)
    reg = factories.SubmittedRegistrationFactory(institution=inst, **kwargs)
    return approve(reg)
