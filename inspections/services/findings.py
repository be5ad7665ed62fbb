"""The rectification loop: findings, the operator's rectification, the inspector's decision,
and the daily overdue sweep that escalates to the county health bureau."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu_portal import workflow
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation, collect
from tuoyu_portal.regions.rules import value_for

from ..models import (
    CreditSource,
    Finding,
    FindingEvidence,
    FindingStatus,
    FindingTransition,
    Inspection,
    Rectification,
    Severity,
)
from .common import ensure_inspector_for, sniff_evidence
from .credit import record_credit
from .summary import refresh_summary

ESCALATED_EVENT = "inspections.finding.escalated"


def default_deadline(severity: str, region_code: str, visited_on: date) -> date:
    """Rectification deadline from the region's `rectification_days_<severity>` rule."""
    return visited_on + timedelta(
        days=int(value_for(f"rectification_days_{severity}", region_code))
    )


def _add_evidence(
    finding: Finding,
    files: Sequence[UploadedFile],
    *,
    actor: User,
    rectification: Rectification | None = None,
) -> list[FindingEvidence]:
    return [
        FindingEvidence.objects.create(
            finding=finding,
            rectification=rectification,
            file=upload,
            content_type=sniff_evidence(upload),
            uploaded_by=actor,
        )
        for upload in files
    ]


@transaction.atomic
def add_evidence(
    finding: Finding, *, actor: User, files: Sequence[UploadedFile]
) -> list[FindingEvidence]:
    """Photos or PDFs of a finding, added by an inspector of its region after the visit."""
    ensure_inspector_for(finding.inspection.filing, actor)
    return _add_evidence(finding, files, actor=actor)


# Not durable: the inspection admin saves through it inside its change-form transaction.
@transaction.atomic
def record_finding(
    inspection: Inspection,
    *,
    actor: User,
    rule: str,
    severity: str,
    description: str,
    deadline: date | None = None,
    technical_advice: bool = False,
    published: bool = True,
    evidence: Sequence[UploadedFile] = (),
) -> Finding:
    """Add a finding to a visit (inspectors of the region only). The deadline defaults to the
    region's rule for the severity; a credit entry is written unless it is technical advice."""
    ensure_inspector_for(inspection.filing, actor)
    found: list[RuleViolation] = []
    if severity not in Severity.values:
        found.append(
            RuleViolation("invalid_choice", _("严重程度须为一般、较重或严重。"), "severity")
        )
    if not (rule or "").strip():
        found.append(RuleViolation("required", _("请填写依据条款。"), "rule"))
    if not (description or "").strip():
        found.append(RuleViolation("required", _("请用通俗语言说明问题。"), "description"))
    if deadline is not None and deadline < inspection.visited_on:
        found.append(
            RuleViolation("deadline_before_visit", _("整改期限不能早于检查日期。"), "deadline")
        )
    collect(found)
    finding = Finding(
        inspection=inspection,
        institution_id=inspection.institution_id,
        region_id=inspection.region_id,
        rule=rule.strip(),
        severity=severity,
        description=description.strip(),
        deadline=deadline
        or default_deadline(severity, inspection.region_id, inspection.visited_on),
        technical_advice=technical_advice,
        # Technical advice is never published, whatever the form said.
        published=published and not technical_advice,
        created_by=actor,
    )
    finding.full_clean()
    finding.save()
    FindingTransition.objects.create(
        finding=finding, from_status="", to_status=finding.status, actor=actor
    )
    _add_evidence(finding, evidence, actor=actor)
    if not technical_advice:
        record_credit(
            source=CreditSource.FINDING,
            source_id=finding.pk,
            rule_key=f"credit_weight_{severity}",
            reason=f"{finding.get_severity_display()}问题：{finding.rule}",
            region_code=finding.region_id,
            institution_id=finding.institution_id,
        )
    refresh_summary(inspection.filing_id)
    return finding


@transaction.atomic(durable=True)
def submit_rectification(
    finding: Finding, *, actor: User, note: str, evidence: Sequence[UploadedFile] = ()
) -> Finding:
    """The operator reports what was put right, optionally with photos or PDFs."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if (
        actor.role != Role.OPERATOR
        or not Membership.objects.filter(institution_id=finding.institution_id, user=actor).exists()
    ):
        raise NotPermitted(_("只有本机构人员可以提交整改。"))
    workflow.ensure_transition(finding, FindingStatus.RECTIFICATION_SUBMITTED)
    if not (note or "").strip():
        raise DomainError.single("required", _("请说明整改情况。"), "note")
    rectification = Rectification.objects.create(
        finding=finding, note=note.strip(), submitted_by=actor
    )
    _add_evidence(finding, evidence, actor=actor, rectification=rectification)
    workflow.record_transition(
        FindingTransition,
        finding,
        to=FindingStatus.RECTIFICATION_SUBMITTED,
        actor=actor,
        note=note.strip(),
    )
    finding.status = FindingStatus.RECTIFICATION_SUBMITTED
    finding.full_clean()
    finding.save(update_fields=["status", "updated_at"])
    return finding


# Not durable: the inspection admin saves through it inside its change-form transaction.
@transaction.atomic
def verify_rectification(
    finding: Finding, *, actor: User, accepted: bool, note: str = ""
) -> Finding:
    """The inspector accepts (→ verified) or rejects (→ open again) the latest rectification."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    ensure_inspector_for(finding.inspection.filing, actor)
    target = FindingStatus.VERIFIED if accepted else FindingStatus.OPEN
    workflow.ensure_transition(finding, target)
    if not accepted and not (note or "").strip():
        raise DomainError.single("required", _("退回整改时请说明原因。"), "note")
    rectification = finding.rectifications.filter(decided_at__isnull=True).first()
    now = timezone.now()
    if rectification is not None:
        rectification.decided_by, rectification.accepted = actor, accepted
        rectification.decision_note, rectification.decided_at = note, now
        rectification.save(update_fields=["decided_by", "accepted", "decision_note", "decided_at"])
    workflow.record_transition(FindingTransition, finding, to=target, actor=actor, note=note)
    finding.status = target
    finding.verified_at = now if accepted else None
    finding.full_clean()
    finding.save(update_fields=["status", "verified_at", "updated_at"])
    refresh_summary(finding.inspection.filing_id)
    return finding


@transaction.atomic(durable=True)
def flag_overdue_findings(*, today: date | None = None) -> int:
    """Flag every unresolved finding past its deadline and escalate it to the county health
    bureau, once: rows already escalated are skipped, so running twice changes nothing.

    1. Lock the candidates (skip rows another sweep holds).
    2. Stamp `overdue_flagged_at`/`escalated_at`, write the history event (the county's
       `inspection-due` page lists escalated findings), add the overdue credit entry.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    candidates = list(
        Finding.objects.overdue(today)
        .filter(escalated_at__isnull=True)
        .select_for_update(skip_locked=True)
    )
    for finding in candidates:
        finding.overdue_flagged_at = finding.escalated_at = now
        finding.save(update_fields=["overdue_flagged_at", "escalated_at", "updated_at"])
        FindingTransition.objects.create(
            finding=finding,
            from_status=finding.status,
            to_status=finding.status,
            event=ESCALATED_EVENT,
            note=str(
                _("整改期限%(deadline)s已过，已上报县级卫生健康部门。")
                % {"deadline": finding.deadline.isoformat()}
            ),
        )
        if not finding.technical_advice:
            record_credit(
                source=CreditSource.OVERDUE,
                source_id=finding.pk,
                rule_key="credit_weight_overdue",
                reason=f"逾期未整改：{finding.rule}",
                region_code=finding.region_id,
                institution_id=finding.institution_id,
            )
    return len(candidates)
