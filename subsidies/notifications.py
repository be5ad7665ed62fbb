"""Who hears of a claim decision, in a person's words, at the moment it is made.

Called by the decision services inside their transaction (see registry/notifications.py for
why): the operators' inbox rows commit with the decision.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from subsidies.models import Claim, ClaimStatus
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.notify import notify_all, operators_of


def claim_decided(claim: Claim, *, transition_id: int) -> int:
    """Approved, rejected or sent back for changes → the operator members of the institution."""
    with translation.override("zh-hans"):
        values = {
            "status": ClaimStatus(claim.status).label,
            "kind": claim.get_kind_display(),
            "amount": f"{claim.amount:,.2f}",
            "reason": claim.decision_reason,
        }
        if claim.status == ClaimStatus.APPROVED:
            body = _("%(kind)s申请（%(amount)s 元）已核准，将编入支付批次拨付。") % values
        elif claim.status == ClaimStatus.REJECTED:
            body = _("%(kind)s申请（%(amount)s 元）未获核准。理由：%(reason)s") % values
        else:
            body = _("%(kind)s申请（%(amount)s 元）需修改后重新提交：%(reason)s") % values
        if claim.status == ClaimStatus.APPROVED and claim.decision_reason:
            body = f"{body}{claim.decision_reason}"
        return notify_all(
            operators_of(claim.institution_id),
            kind=NotificationKind.CLAIM_DECIDED,
            event_key=f"claim:{claim.pk}:{transition_id}",
            title=_("补贴申请审核结果：%(status)s") % values,
            body=body,
            link=reverse("subsidy-claim-detail", args=[claim.pk]),
        )
