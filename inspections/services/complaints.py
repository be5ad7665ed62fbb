"""Complaints (投诉举报): public intake with a tracking code, triage by the county health bureau."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Filing
from tuoyu_portal import crypto, workflow
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError, RuleViolation, collect
from tuoyu_portal.regions.calendar import Prefetched, working_deadline
from tuoyu_portal.regions.rules import value_for

from .. import notifications
from ..models import Complaint, ComplaintStatus, ComplaintTransition, Inspection
from .common import ensure_health_reviewer_for

# No 0/O/1/I: the code is read out over the phone. 16 symbols of 32 → 80 bits, unguessable.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_CONTENT = 5000


def complaint_due(
    region_code: str, received_on: date, *, prefetched: Prefetched | None = None
) -> date:
    """The handling deadline of a complaint received on `received_on`: the region's
    `complaint_handling_days`, in working days (received day not counted, same calendar as the
    filing clocks) where its `complaint_handling_working_days` rule says so, else calendar days."""
    days = int(value_for("complaint_handling_days", region_code, received_on))
    if value_for("complaint_handling_working_days", region_code, received_on):
        return working_deadline(received_on, days, region_code, prefetched=prefetched).due
    return received_on + timedelta(days=days)


def new_tracking_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))


@transaction.atomic(durable=True)
def submit_complaint(*, facility: str, content: str, contact: str = "") -> Complaint:
    """Anyone may complain about a facility on the public register, anonymously or not. The
    contact is stored encrypted and is never shown to the institution. The handling deadline is
    the region's `complaint_handling_days`."""
    found: list[RuleViolation] = []
    filing = (
        Filing.objects.public().filter(filing_number=(facility or "").strip()).first()
        if facility
        else None
    )
    if filing is None:
        found.append(RuleViolation("unknown_facility", _("找不到该备案编号的机构。"), "facility"))
    content = (content or "").strip()
    if not content:
        found.append(RuleViolation("required", _("请填写投诉内容。"), "content"))
    elif len(content) > MAX_CONTENT:
        found.append(RuleViolation("too_long", _("投诉内容不能超过5000字。"), "content"))
    contact = (contact or "").strip()
    if len(contact) > 100:
        found.append(RuleViolation("too_long", _("联系方式不能超过100字。"), "contact"))
    collect(found)
    assert filing is not None
    today = timezone.localdate()
    complaint = Complaint(
        tracking_code=new_tracking_code(),
        filing=filing,
        institution_id=filing.institution_id,
        region_id=filing.region_id,
        content=content,
        contact_encrypted=crypto.encrypt(contact) if contact else "",
        anonymous=not contact,
        due_on=complaint_due(filing.region_id, today),
    )
    complaint.full_clean()
    complaint.save()
    ComplaintTransition.objects.create(
        complaint=complaint, from_status="", to_status=complaint.status
    )
    notifications.complaint_received(complaint, name=filing.institution.name)
    return complaint


def complaint_contact(complaint: Complaint) -> str:
    """The decrypted contact, for the county reviewer's own pages only."""
    return crypto.decrypt(complaint.contact_encrypted) if complaint.contact_encrypted else ""


@transaction.atomic(durable=True)
def triage_complaint(
    complaint: Complaint,
    *,
    actor: User,
    status: str,
    outcome: str = "",
    note: str = "",
    inspection: Inspection | None = None,
) -> Complaint:
    """Move a complaint on (received → investigating → substantiated | unsubstantiated). Only the
    county health bureau may. Closing needs the outcome told to the complainant."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    ensure_health_reviewer_for(complaint.region_id, actor)
    workflow.ensure_transition(complaint, status)
    found: list[RuleViolation] = []
    if status in Complaint.CLOSED and not (outcome or "").strip():
        found.append(
            RuleViolation("outcome_required", _("办结时须填写向投诉人公开的处理结果。"), "outcome")
        )
    if inspection is not None and inspection.institution_id != complaint.institution_id:
        found.append(
            RuleViolation(
                "inspection_other_institution", _("所关联的检查不是被投诉机构的。"), "inspection"
            )
        )
    collect(found)
    workflow.record_transition(ComplaintTransition, complaint, to=status, actor=actor, note=note)
    complaint.status = status
    complaint.triaged_by = actor
    if outcome:
        complaint.outcome = outcome.strip()
    if inspection is not None:
        complaint.inspection = inspection
    if status in Complaint.CLOSED:
        complaint.closed_at = timezone.now()
    complaint.full_clean()
    complaint.save()
    return complaint


def find_by_tracking_code(code: str) -> Complaint:
    complaint = Complaint.objects.filter(tracking_code=(code or "").strip().upper()).first()
    if complaint is None:
        raise DomainError.single("not_found", _("查询码不存在。"), "tracking_code")
    return complaint


__all__ = [
    "ComplaintStatus",
    "complaint_contact",
    "find_by_tracking_code",
    "submit_complaint",
    "triage_complaint",
]
