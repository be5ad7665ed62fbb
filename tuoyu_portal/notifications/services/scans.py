"""Beat scans: read the other apps' state and notify the people concerned, once per event.

The scans never hook into the other apps' services: each one reads current state (a recent
supplement request, an issued receipt, a finding and its deadline, an expiring certificate…),
derives a stable event key from it, and calls `notify`, which does nothing for a key the
recipient already has. So a scan may run any number of times, or overlap with itself.

Jurisdiction: operators hear only about institutions they are members of; reviewers only about
filings of their own county.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.models import Finding, FindingStatus
from registry.models import Filing, FilingStatus, SiteTenure, StaffMember, SupplementRequest
from subsidies.models import Claim, ClaimStatus
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import RegionRule

from .notify import notify

# How far back the event scans look (supplements, receipts, decisions). Not a domain number: it
# only bounds the scan; the unique (recipient, event_key) keeps it from ever sending twice.
LOOKBACK = timedelta(days=30)
FILED_STATUSES = tuple(Filing.PUBLIC_STATUSES)


def _item_label(key: str) -> str:
    """A supplement item as the person reads it (the material or field name, never its key),
    the same labels as the filing page's supplement notice."""
    from registry.filing_forms import FIELD_LABELS
    from registry.materials import MATERIALS_BY_KIND

    material = MATERIALS_BY_KIND.get(key)
    return str(material.label if material else FIELD_LABELS.get(key, key))


def _link(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _operators_prefetch(path: str) -> Prefetch:
    """Active operator members of the institution at `path`, fetched in one extra query."""
    return Prefetch(
        f"{path}memberships",
        queryset=Membership.objects.filter(
            user__is_active=True, user__role=Role.OPERATOR
        ).select_related("user"),
        to_attr="operator_members",
    )


def _operators(institution: Any) -> Iterable[User]:
    return [m.user for m in getattr(institution, "operator_members", [])]


class _RuleCache:
    """Per-region rule values, looked up once per region for a whole scan."""

    def __init__(self, key: str, on: datetime.date) -> None:
        self.key, self.on = key, on
        self.values: dict[str, Any] = {}

    def __call__(self, region_code: str) -> Any:
        if region_code not in self.values:
            self.values[region_code] = rules.value_for(self.key, region_code, self.on)
        return self.values[region_code]

    def widest(self) -> int:
        """The largest value any region sets (or the default): bounds the scan in SQL, and each
        row is then checked against its own region's value."""
        values = RegionRule.objects.filter(key=self.key, effective_from__lte=self.on).values_list(
            "value", flat=True
        )
        return max([int(rules.RULES[self.key].default), *(int(v) for v in values)])


def _send_all(users: Iterable[User], **kwargs: Any) -> int:
    return sum(1 for user in users if notify(user, **kwargs) is not None)


def scan_filing_events(now: datetime.datetime | None = None) -> int:
    """Supplement requests, receipts issued and nonconformity notices → the operators."""
    now = now or timezone.now()
    since = now - LOOKBACK
    sent = 0
    with translation.override("zh-hans"):
        requests = (
            SupplementRequest.objects.filter(requested_at__gte=since)
            .select_related("filing__institution")
            .prefetch_related(_operators_prefetch("filing__institution__"))
        )
        for request in requests:
            filing = request.filing
            items = "、".join(
                _item_label(entry.get("item", "")) for entry in request.items if entry
            )
            sent += _send_all(
                _operators(filing.institution),
                kind=NotificationKind.SUPPLEMENT_REQUESTED,
                event_key=f"supplement:{request.pk}",
                title=_("备案材料需补正：%(name)s") % {"name": filing.institution.name},
                body=_("县卫生健康部门一次性告知需补正的事项：%(items)s。%(note)s")
                % {"items": items, "note": request.note},
                link=_link("filing-detail", filing.pk),
            )
        filings = (
            Filing.objects.filter(receipt_issued_at__gte=since)
            .select_related("institution")
            .prefetch_related(_operators_prefetch("institution__"))
        )
        for filing in filings:
            sent += _send_all(
                _operators(filing.institution),
                kind=NotificationKind.RECEIPT_ISSUED,
                event_key=f"receipt:{filing.pk}",
                title=_("备案回执已出具：%(name)s") % {"name": filing.institution.name},
                body=_("备案编号 %(number)s。") % {"number": filing.filing_number},
                link=_link("filing-detail", filing.pk),
            )
        nonconforming = (
            Filing.objects.filter(
                status=FilingStatus.NONCONFORMING, conformity_decided_at__gte=since
            )
            .select_related("institution")
            .prefetch_related(_operators_prefetch("institution__"))
        )
        for filing in nonconforming:
            decided = filing.conformity_decided_at
            assert decided is not None
            sent += _send_all(
                _operators(filing.institution),
                kind=NotificationKind.NONCONFORMING,
                event_key=f"nonconforming:{filing.pk}:{decided.isoformat()}",
                title=_("不符合托育机构设置标准告知：%(name)s") % {"name": filing.institution.name},
                body=_("原因：%(reasons)s") % {"reasons": "；".join(filing.nonconformity_reasons)},
                link=_link("filing-detail", filing.pk),
            )
    return sent


def scan_findings(today: datetime.date | None = None) -> int:
    """New findings, deadlines coming up and overdue rectifications → the operators."""
    today = today or timezone.localdate()
    window = _RuleCache("notify_deadline_days", today)
    sent = 0
    with translation.override("zh-hans"):
        findings = (
            Finding.objects.exclude(status=FindingStatus.VERIFIED)
            .select_related("institution")
            .prefetch_related(_operators_prefetch("institution__"))
        )
        for finding in findings:
            operators = _operators(finding.institution)
            common = {"link": _link("operator-findings")}
            name = finding.institution.name
            if finding.status == FindingStatus.OPEN:
                sent += _send_all(
                    operators,
                    kind=NotificationKind.FINDING,
                    event_key=f"finding:{finding.pk}",
                    title=_("检查发现问题，请于%(deadline)s前整改：%(name)s")
                    % {"deadline": finding.deadline.isoformat(), "name": name},
                    body=finding.description,
                    **common,
                )
            if finding.deadline < today:
                sent += _send_all(
                    operators,
                    kind=NotificationKind.FINDING_OVERDUE,
                    event_key=f"finding-overdue:{finding.pk}:{finding.deadline.isoformat()}",
                    title=_("整改已逾期：%(name)s") % {"name": name},
                    body=_("整改期限 %(deadline)s 已过：%(text)s")
                    % {"deadline": finding.deadline.isoformat(), "text": finding.description},
                    **common,
                )
            elif finding.deadline <= today + timedelta(days=int(window(finding.region_id))):
                sent += _send_all(
                    operators,
                    kind=NotificationKind.FINDING_DEADLINE,
                    event_key=f"finding-due:{finding.pk}:{finding.deadline.isoformat()}",
                    title=_("整改期限临近（%(deadline)s）：%(name)s")
                    % {"deadline": finding.deadline.isoformat(), "name": name},
                    body=finding.description,
                    **common,
                )
    return sent


def scan_expiries(today: datetime.date | None = None) -> int:
    """Staff health certificates and site leases ending within `notify_expiry_days`."""
    today = today or timezone.localdate()
    window = _RuleCache("notify_expiry_days", today)
    horizon = today + timedelta(days=window.widest())
    sent = 0
    with translation.override("zh-hans"):
        staff = (
            StaffMember.objects.filter(
                active=True,
                health_certificate_expires__gte=today,
                health_certificate_expires__lte=horizon,
            )
            .select_related("institution")
            .prefetch_related(_operators_prefetch("institution__"))
        )
        for member in staff:
            expires = member.health_certificate_expires
            assert expires is not None
            if expires > today + timedelta(days=int(window(member.institution.region_id))):
                continue
            sent += _send_all(
                _operators(member.institution),
                kind=NotificationKind.HEALTH_CERTIFICATE,
                event_key=f"health-cert:{member.pk}:{expires.isoformat()}",
                title=_("工作人员健康证即将到期：%(name)s") % {"name": member.name},
                body=_("%(institution)s 的 %(name)s 健康证有效期至 %(date)s，请及时复检。")
                % {
                    "institution": member.institution.name,
                    "name": member.name,
                    "date": expires.isoformat(),
                },
                link=_link("home"),  # the roster URL is per filing; home lists it
            )
        leases = (
            Filing.objects.filter(
                status__in=FILED_STATUSES,
                site_tenure=SiteTenure.LEASED,
                lease_end__gte=today,
                lease_end__lte=horizon,
            )
            .select_related("institution")
            .prefetch_related(_operators_prefetch("institution__"))
        )
        for filing in leases:
            lease_end = filing.lease_end
            assert lease_end is not None
            if lease_end > today + timedelta(days=int(window(filing.region_id))):
                continue
            sent += _send_all(
                _operators(filing.institution),
                kind=NotificationKind.LEASE_ENDING,
                event_key=f"lease:{filing.pk}:{lease_end.isoformat()}",
                title=_("场地租赁即将到期：%(name)s") % {"name": filing.institution.name},
                body=_("租赁到期日 %(date)s；续租或变更场地后请办理变更备案。")
                % {"date": lease_end.isoformat()},
                link=_link("filing-detail", filing.pk),
            )
    return sent


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
        .prefetch_related(_operators_prefetch("institution__"))
    )
    sent = 0
    with translation.override("zh-hans"):
        for claim in decided:
            decided_at = claim.decided_at
            assert decided_at is not None
            # A paid claim was approved first: the decision is the approval.
            status = ClaimStatus.APPROVED if claim.status == ClaimStatus.PAID else claim.status
            sent += _send_all(
                _operators(claim.institution),
                kind=NotificationKind.CLAIM_DECIDED,
                event_key=f"claim:{claim.pk}:{status}:{decided_at.isoformat()}",
                title=_("补贴申请审核结果：%(status)s") % {"status": ClaimStatus(status).label},
                body=claim.decision_reason,
                link=_link("subsidy-claim-detail", claim.pk),
            )
    return sent


def scan_overdue_clocks(today: datetime.date | None = None) -> int:
    """Submitted filings past their receipt (5) or conformity (15 working-day) due date → the
    health reviewers of that county, and only of that county."""
    today = today or timezone.localdate()
    filings = list(
        Filing.objects.filter(status=FilingStatus.SUBMITTED, receipt_due__lt=today).select_related(
            "institution"
        )
    )
    counties = {filing.region_id for filing in filings}
    reviewers: dict[str, list[User]] = {}
    for user in User.objects.filter(
        role=Role.HEALTH_REVIEWER, is_active=True, region_id__in=counties
    ):
        reviewers.setdefault(user.region_id or "", []).append(user)
    sent = 0
    with translation.override("zh-hans"):
        for filing in filings:
            due = filing.receipt_due
            assert due is not None
            late_conformity = filing.conformity_due is not None and filing.conformity_due < today
            key = "conformity" if late_conformity else "receipt"
            sent += _send_all(
                reviewers.get(filing.region_id, []),
                kind=NotificationKind.CLOCK_OVERDUE,
                event_key=f"clock-{key}:{filing.pk}:{due.isoformat()}",
                title=_("备案办理已超期：%(name)s") % {"name": filing.institution.name},
                body=_("回执办理期限 %(due)s 已过，请尽快出具回执或一次性告知补正。")
                % {"due": due.isoformat()},
                link=_link("reviewer-filing", filing.pk),
            )
    return sent
