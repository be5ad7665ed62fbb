"""Helpers for exchange tests: approving and cancelling through the registration services."""

from __future__ import annotations

from typing import Any

from registry.models import Registration
from registry.services import registrations
from tests import factories
from tests.factories import credit_code
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exchange.models import OutboxEvent


def payload_for(reg: Registration, event: str) -> dict[str, Any]:
    """The payload the registration service pushes."""
    return registrations.registration_payload(reg, event)


def registrar_for(region_id: str, authority: str = "scjg") -> User:
    return factories.UserFactory(
        username=f"{authority}_{region_id}",
        role=Role.REGISTRAR,
        region_id=region_id,
        authority=authority,
    )


def approve(reg: Registration, *, code: str | None = None) -> OutboxEvent:
    """Approve through the registration service (which writes the outbox row); return the row."""
    approved_on = reg.approved_on
    registrations.approve_registration(
        reg,
        actor=registrar_for(reg.region_id, reg.authority),
        credit_code=code or credit_code(reg.pk),
    )
    if approved_on is not None:  # tests back-date approvals to exercise the overdue rule
        Registration.objects.filter(pk=reg.pk).update(approved_on=approved_on)
        event = OutboxEvent.objects.filter(aggregate_id=reg.pk).latest("pk")
        event.payload["approved_on"] = approved_on.isoformat()
        OutboxEvent.objects.filter(pk=event.pk).update(payload=event.payload)
    reg.refresh_from_db()
    return OutboxEvent.objects.filter(
        aggregate_id=reg.pk, event_type="registration.approved"
    ).latest("pk")


def cancel(reg: Registration) -> OutboxEvent:
    registrations.cancel_registration(
        reg, actor=registrar_for(reg.region_id, reg.authority), reason="举办者申请注销"
    )
    return OutboxEvent.objects.filter(
        aggregate_id=reg.pk, event_type="registration.cancelled"
    ).latest("pk")


def approved_event(region_id: str = "371103", **kwargs: Any) -> OutboxEvent:
    inst = factories.InstitutionFactory(region_id=region_id)
    reg = factories.SubmittedRegistrationFactory(institution=inst, **kwargs)
    return approve(reg)
