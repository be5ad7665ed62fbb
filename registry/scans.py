"""Registry's beat scans (settings.NOTIFICATION_SCANS), for deadlines only: expiring health
certificates and leases, and overdue filing clocks. Decisions and submissions are notified by
the services at the event (registry/notifications.py).

Each reads current state and notifies once per stable event key (see
tuoyu_portal/notifications/services/scans.py), so a scan may run any number of times.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registry.models import Filing, FilingStatus, SiteTenure, StaffMember
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.scans import (
    RuleCache,
    link,
    operators_of,
    operators_prefetch,
    send_all,
)

FILED_STATUSES = tuple(Filing.PUBLIC_STATUSES)


def scan_expiries(today: datetime.date | None = None) -> int:
    """Staff health certificates and site leases ending within `notify_expiry_days`."""
    today = today or timezone.localdate()
    window = RuleCache("notify_expiry_days", today)
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
            .prefetch_related(operators_prefetch("institution__"))
        )
        for member in staff:
            expires = member.health_certificate_expires
            assert expires is not None
            if expires > today + timedelta(days=int(window(member.institution.region_id))):
                continue
            sent += send_all(
                operators_of(member.institution),
                kind=NotificationKind.HEALTH_CERTIFICATE,
                event_key=f"health-cert:{member.pk}:{expires.isoformat()}",
                title=_("工作人员健康证即将到期：%(name)s") % {"name": member.name},
                body=_("%(institution)s 的 %(name)s 健康证有效期至 %(date)s，请及时复检。")
                % {
                    "institution": member.institution.name,
                    "name": member.name,
                    "date": expires.isoformat(),
                },
                link=link("home"),  # the roster URL is per filing; home lists it
            )
        leases = (
            Filing.objects.filter(
                status__in=FILED_STATUSES,
                site_tenure=SiteTenure.LEASED,
                lease_end__gte=today,
                lease_end__lte=horizon,
            )
            .select_related("institution")
            .prefetch_related(operators_prefetch("institution__"))
        )
        for filing in leases:
            lease_end = filing.lease_end
            assert lease_end is not None
            if lease_end > today + timedelta(days=int(window(filing.region_id))):
                continue
            sent += send_all(
                operators_of(filing.institution),
                kind=NotificationKind.LEASE_ENDING,
                event_key=f"lease:{filing.pk}:{lease_end.isoformat()}",
                title=_("场地租赁即将到期：%(name)s") % {"name": filing.institution.name},
                body=_("租赁到期日 %(date)s；续租或变更场地后请办理变更备案。")
                % {"date": lease_end.isoformat()},
                link=link("filing-detail", filing.pk),
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
            sent += send_all(
                reviewers.get(filing.region_id, []),
                kind=NotificationKind.CLOCK_OVERDUE,
                event_key=f"clock-{key}:{filing.pk}:{due.isoformat()}",
                title=_("备案办理已超期：%(name)s") % {"name": filing.institution.name},
                body=_("回执办理期限 %(due)s 已过，请尽快出具回执或一次性告知补正。")
                % {"due": due.isoformat()},
                link=link("reviewer-filing", filing.pk),
            )
    return sent
