"""Beat scans, for deadlines only: each app reads its own state and notifies the people
concerned, once per event. An event (a decision, a submission, a complaint) is notified by its
service in its own transaction (`notify`), never by a scan, so nobody hears of it twice.

The apps contribute the scans (settings.NOTIFICATION_SCANS, dotted paths imported when run, so
the platform imports no app); this module runs them and holds what they share. Each scan reads
current state (a finding and its deadline, an expiring certificate, an overdue clock…), derives
a stable event key from it, and calls `notify`, which does nothing for a key the recipient
already has. So a scan may run any number of times, or overlap with itself.

Jurisdiction: operators hear only about institutions they are members of; reviewers only about
filings of their own county.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import RegionRule

from .notify import notify


def link(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def operators_prefetch(path: str) -> Prefetch:
    """Active operator members of the institution at `path`, fetched in one extra query."""
    return Prefetch(
        f"{path}memberships",
        queryset=Membership.objects.filter(
            user__is_active=True, user__role=Role.OPERATOR
        ).select_related("user"),
        to_attr="operator_members",
    )


def operators_of(institution: Any) -> Iterable[User]:
    return [m.user for m in getattr(institution, "operator_members", [])]


class RuleCache:
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


def send_all(users: Iterable[User], **kwargs: Any) -> int:
    # A scan runs in a worker, outside any transaction: its e-mails go out here and now.
    return sum(1 for user in users if notify(user, email_now=True, **kwargs) is not None)


def configured_scans() -> dict[str, Callable[[], int]]:
    """Every scan the apps contribute, by name, in the configured order."""
    return {name: import_string(path) for name, path in settings.NOTIFICATION_SCANS.items()}


def run_scan(name: str) -> int:
    """Run one configured scan; returns how many notifications it sent."""
    scan: Callable[[], int] = import_string(settings.NOTIFICATION_SCANS[name])
    return scan()
