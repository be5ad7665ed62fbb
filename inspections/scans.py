"""Inspections' beat scan (settings.NOTIFICATION_SCANS): new findings, coming deadlines and
overdue rectifications, told to the operators once per stable event key."""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.models import Finding, FindingStatus
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.scans import (
    RuleCache,
    link,
    operators_of,
    operators_prefetch,
    send_all,
)


def scan_findings(today: datetime.date | None = None) -> int:
    """New findings, deadlines coming up and overdue rectifications → the operators."""
    today = today or timezone.localdate()
    window = RuleCache("notify_deadline_days", today)
    sent = 0
    with translation.override("zh-hans"):
        findings = (
            Finding.objects.exclude(status=FindingStatus.VERIFIED)
            .select_related("institution")
            .prefetch_related(operators_prefetch("institution__"))
        )
        for finding in findings:
            operators = operators_of(finding.institution)
            common = {"link": link("operator-findings")}
            name = finding.institution.name
            if finding.status == FindingStatus.OPEN:
                sent += send_all(
                    operators,
                    kind=NotificationKind.FINDING,
                    event_key=f"finding:{finding.pk}",
                    title=_("检查发现问题，请于%(deadline)s前整改：%(name)s")
                    % {"deadline": finding.deadline.isoformat(), "name": name},
                    body=finding.description,
                    **common,
                )
            if finding.deadline < today:
                sent += send_all(
                    operators,
                    kind=NotificationKind.FINDING_OVERDUE,
                    event_key=f"finding-overdue:{finding.pk}:{finding.deadline.isoformat()}",
                    title=_("整改已逾期：%(name)s") % {"name": name},
                    body=_("整改期限 %(deadline)s 已过：%(text)s")
                    % {"deadline": finding.deadline.isoformat(), "text": finding.description},
                    **common,
                )
            elif finding.deadline <= today + timedelta(days=int(window(finding.region_id))):
                sent += send_all(
                    operators,
                    kind=NotificationKind.FINDING_DEADLINE,
                    event_key=f"finding-due:{finding.pk}:{finding.deadline.isoformat()}",
                    title=_("整改期限临近（%(deadline)s）：%(name)s")
                    % {"deadline": finding.deadline.isoformat(), "name": name},
                    body=finding.description,
                    **common,
                )
    return sent
