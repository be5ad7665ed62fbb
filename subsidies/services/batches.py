"""Payment batches: group approved claims, mark them paid with the treasury's reference."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu_portal import workflow
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    NotPermitted,
    RuleViolation,
    collect,
)

from ..models import BatchStatus, Claim, ClaimStatus, ClaimTransition, PaymentBatch


def _ensure_officer(actor: User) -> None:
    if actor.role != Role.SUBSIDY_OFFICER or not actor.region_id:
        raise NotPermitted(_("只有补贴审核人员可以办理支付批次。"))


@transaction.atomic(durable=True)
def create_batch(claim_ids: Sequence[int], *, actor: User) -> PaymentBatch:
    """Group approved, not yet batched claims of the officer's region into one batch.

    Claims are locked so two officers cannot put the same claim into two batches; every claim
    that cannot go in is listed at once.
    """
    _ensure_officer(actor)
    ids = list(dict.fromkeys(claim_ids))
    claims = {
        c.pk: c
        for c in Claim.objects.visible_to(actor)
        .select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
    }
    violations: list[RuleViolation] = []
    for claim_id in ids:
        claim = claims.get(claim_id)
        if claim is None:
            violations.append(
                RuleViolation(
                    "does_not_exist",
                    _("补贴申请 #%(id)s 不存在或不在您的管辖范围内。") % {"id": claim_id},
                    "claims",
                )
            )
        elif claim.status != ClaimStatus.APPROVED:
            violations.append(
                RuleViolation(
                    "claim_not_approved",
                    _("补贴申请 #%(id)s 尚未核准，不能纳入支付批次。") % {"id": claim_id},
                    "claims",
                )
            )
        elif claim.batch_id is not None:
            violations.append(
                RuleViolation(
                    "claim_already_batched",
                    _("补贴申请 #%(id)s 已在支付批次 #%(batch)s 中。")
                    % {"id": claim_id, "batch": claim.batch_id},
                    "claims",
                )
            )
    if not ids:
        violations.append(RuleViolation("required", _("请至少选择一项补贴申请。"), "claims"))
    collect(violations)
    batch = PaymentBatch.objects.create(
        region_id=cast(str, actor.region_id),  # _ensure_officer refused a null region
        created_by=actor,
        total=sum((c.amount for c in claims.values()), Decimal("0.00")),
    )
    for claim in claims.values():
        claim.batch = batch
        claim.save(update_fields=["batch", "updated_at"])
        workflow.record_transition(
            ClaimTransition,
            claim,
            to=claim.status,
            actor=actor,
            reason=str(_("纳入支付批次 #%(id)s") % {"id": batch.pk}),
            details={"batch": batch.pk},
        )
    return batch


@transaction.atomic(durable=True)
def mark_batch_paid(batch: PaymentBatch, *, actor: User, payment_ref: str) -> PaymentBatch:
    """Record the payment of a batch: every claim in it becomes `paid` with a history row."""
    _ensure_officer(actor)
    if not payment_ref.strip():
        raise DomainError.single("required", _("请填写支付凭证号。"), "payment_ref")
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    workflow.ensure_transition(batch, BatchStatus.PAID)
    now = timezone.now()
    for claim in Claim.objects.select_for_update().filter(batch=batch).order_by("pk"):
        workflow.ensure_transition(claim, ClaimStatus.PAID)
        workflow.record_transition(
            ClaimTransition,
            claim,
            to=ClaimStatus.PAID,
            actor=actor,
            reason=payment_ref.strip(),
            details={"batch": batch.pk, "payment_ref": payment_ref.strip()},
        )
        claim.status, claim.paid_at = ClaimStatus.PAID, now
        claim.save(update_fields=["status", "paid_at", "updated_at"])
    batch.status, batch.paid_at, batch.paid_by = BatchStatus.PAID, now, actor
    batch.payment_ref = payment_ref.strip()
    batch.full_clean()
    batch.save(update_fields=["status", "paid_at", "paid_by", "payment_ref", "updated_at"])
    return batch
