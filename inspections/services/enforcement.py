"""Enforcement actions (人口与计划生育法 §41): penalties with legal basis and decision reference,
published under 双公示 with the correction status and the operator's reply."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Filing
from registry.services.public_summary import set_suspension
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.exceptions import NotPermitted, RuleViolation, collect
from tuoyu_portal.regions.rules import value_for

from ..models import CorrectionStatus, CreditSource, EnforcementAction, EnforcementKind, Finding
from .common import ensure_health_reviewer_for
from .credit import record_credit


def _check_amount(kind: str, amount: Decimal | None, region_code: str) -> list[RuleViolation]:
    """A fine needs an amount within the law's ranges (refusal 5 000–50 000; serious, with stop
    of service, 50 000–100 000): rules `fine_min`…`serious_fine_max`."""
    rules = {k: Decimal(str(value_for(k, region_code))) for k in (
        "fine_min", "fine_max", "serious_fine_min", "serious_fine_max")}  # fmt: skip
    if kind == EnforcementKind.FINE:
        if amount is None:
            return [RuleViolation("fine_amount_required", _("罚款须填写金额。"), "amount")]
        if not rules["fine_min"] <= amount <= rules["fine_max"]:
            return [
                RuleViolation(
                    "fine_amount_out_of_range",
                    _("罚款金额须在%(min)s至%(max)s元之间。")
                    % {"min": rules["fine_min"], "max": rules["fine_max"]},
                    "amount",
                )
            ]
    elif kind == EnforcementKind.STOP_SERVICE:
        if amount is not None and not (
            rules["serious_fine_min"] <= amount <= rules["serious_fine_max"]
        ):
            return [
                RuleViolation(
                    "fine_amount_out_of_range",
                    _("情节严重的罚款金额须在%(min)s至%(max)s元之间。")
                    % {"min": rules["serious_fine_min"], "max": rules["serious_fine_max"]},
                    "amount",
                )
            ]
    elif amount is not None:
        return [RuleViolation("amount_not_allowed", _("只有罚款类处理填写金额。"), "amount")]
    return []


def refresh_suspension(filing_id: int) -> None:
    """Publish the order to stop service in force on the filing (the latest one not lifted nor
    expired), or clear it: registry keeps the summary, since it never reads inspections."""
    today = timezone.localdate()
    order = (
        EnforcementAction.objects.filter(filing_id=filing_id, kind=EnforcementKind.STOP_SERVICE)
        .in_force(today)
        .order_by("-decided_on", "-id")
        .first()
    )
    set_suspension(
        filing_id,
        None
        if order is None
        else {
            "decision_ref": order.decision_ref,
            "decided_on": order.decided_on.isoformat(),
            "until": order.in_force_until.isoformat() if order.in_force_until else None,
        },
    )


@transaction.atomic(durable=True)
def record_enforcement(
    filing: Filing,
    *,
    actor: User,
    kind: str,
    legal_basis: str,
    decision_ref: str,
    decided_on: date,
    amount: Decimal | None = None,
    in_force_until: date | None = None,
    finding: Finding | None = None,
    published: bool = True,
) -> EnforcementAction:
    """Record a penalty decided by the county health bureau; adds the credit entry."""
    ensure_health_reviewer_for(filing.region_id, actor)
    found: list[RuleViolation] = []
    if kind not in EnforcementKind.values:
        found.append(RuleViolation("invalid_choice", _("处理类型不正确。"), "kind"))
    else:
        found += _check_amount(kind, amount, filing.region_id)
    if not (legal_basis or "").strip():
        found.append(RuleViolation("required", _("请填写法律依据。"), "legal_basis"))
    if not (decision_ref or "").strip():
        found.append(RuleViolation("required", _("请填写决定书文号。"), "decision_ref"))
    if finding is not None and finding.institution_id != filing.institution_id:
        found.append(RuleViolation("finding_other_institution", _("问题不属于该机构。"), "finding"))
    collect(found)
    action = EnforcementAction(
        institution_id=filing.institution_id,
        filing=filing,
        region_id=filing.region_id,
        finding=finding,
        kind=kind,
        amount=amount,
        legal_basis=legal_basis.strip(),
        decision_ref=decision_ref.strip(),
        decided_on=decided_on,
        in_force_until=in_force_until,
        published=published,
        decided_by=actor,
    )
    action.full_clean()
    action.save()
    refresh_suspension(filing.pk)
    if published:  # the facility's watchers hear of a published penalty
        from registry.services.watches import record_public_change

        record_public_change(
            filing,
            kind="suspension" if kind == EnforcementKind.STOP_SERVICE else "penalty",
            detail=f"{action.get_kind_display()}（{action.decision_ref}）",
        )
    record_credit(
        source=CreditSource.ENFORCEMENT,
        source_id=action.pk,
        rule_key=f"credit_weight_{kind}",
        reason=f"{action.get_kind_display()}（{action.decision_ref}）",
        region_code=action.region_id,
        institution_id=action.institution_id,
    )
    return action


@transaction.atomic(durable=True)
def reply_to_enforcement(
    action: EnforcementAction, *, actor: User, reply: str
) -> EnforcementAction:
    """The operator's right to reply, shown next to the published penalty."""
    action = EnforcementAction.objects.select_for_update().get(pk=action.pk)
    if (
        actor.role != Role.OPERATOR
        or not Membership.objects.filter(institution_id=action.institution_id, user=actor).exists()
    ):
        raise NotPermitted(_("只有本机构人员可以说明。"))
    collect(
        [RuleViolation("required", _("请填写说明。"), "reply")] if not (reply or "").strip() else []
    )
    action.operator_reply, action.operator_replied_at = reply.strip(), timezone.now()
    action.full_clean()
    action.save(update_fields=["operator_reply", "operator_replied_at", "updated_at"])
    return action


@transaction.atomic(durable=True)
def update_correction(
    action: EnforcementAction, *, actor: User, correction_status: str, lift: bool = False
) -> EnforcementAction:
    """The county bureau records whether the institution corrected, and may lift the action."""
    action = EnforcementAction.objects.select_for_update().get(pk=action.pk)
    ensure_health_reviewer_for(action.region_id, actor)
    collect(
        [RuleViolation("invalid_choice", _("整改情况不正确。"), "correction_status")]
        if correction_status not in CorrectionStatus.values
        else []
    )
    action.correction_status = correction_status
    if lift and action.lifted_at is None:
        action.lifted_at = timezone.now()
    action.full_clean()
    action.save(update_fields=["correction_status", "lifted_at", "updated_at"])
    if action.filing_id:
        refresh_suspension(action.filing_id)
    return action
