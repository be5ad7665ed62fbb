"""Subsidies' beat scan (settings.NOTIFICATION_SCANS): claim decisions, told to the operators
once per stable event key."""

from __future__ import annotations

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from subsidies.models import Claim, ClaimStatus
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.scans import (
    LOOKBACK,
    link,
    operators_of,
    operators_prefetch,
    send_all,
)


def scan_claim_decisions(now: datetime.datetime | None = None) -> int:
    """Subsidy claims approved, rejected or sent back for changes → the operators."""
    now = now or timezone.now()
    decided = (
        Claim.objects.filter(
            status__in=[
                ClaimStatus.APPROVED,
                ClaimStatus.REJECTED,
                ClaimStatus.CHANGES_REQUESTED,
                ClaimStatus.PAID,
            ],
            decided_at__gte=now - LOOKBACK,
        )
        .select_related("institution")
        .prefetch_related(operators_prefetch("institution__"))
    )
    sent = 0
    with translation.override("zh-hans"):
        for claim in decided:
            decided_at = claim.decided_at
            assert decided_at is not None
            # A paid claim was approved first: the decision is the approval.
            status = ClaimStatus.APPROVED if claim.status == ClaimStatus.PAID else claim.status
            sent += send_all(
                operators_of(claim.institution),
                kind=NotificationKind.CLAIM_DECIDED,
                event_key=f"claim:{claim.pk}:{status}:{decided_at.isoformat()}",
                title=_("补贴申请审核结果：%(status)s") % {"status": ClaimStatus(status).label},
                body=claim.decision_reason,
                link=link("subsidy-claim-detail", claim.pk),
            )
    return sent
