"""Recompute every open working-day clock after the calendar changed (a year's schedule loaded or
edited, an override row saved): due dates are stored at submission, so they must be moved here.

What stores a due date counted in working days, and is recomputed while it runs:
- filings: `receipt_due` while the receipt is awaited (`submitted`), `conformity_due` until the
  bureau has decided on conformity (`submitted`, or `filed` with no decision yet and the clock not
  past), and `clocks_provisional`;
- complaints: `due_on` of an open complaint where the region counts it in working days.
Supplement requests carry no due date, and rectification deadlines (findings) and subsidy claims
are counted in calendar days, so the calendar does not move them.

Each change writes a visible history row (FilingTransition / ComplaintTransition, with the old and
new dates) besides the pghistory trigger event on the filing, and the people concerned are told
after commit: the institution's operators and the county's health reviewers for a filing, the
county's health reviewers for a complaint (the complainant has no account; the public tracking page
shows the new date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.models import Complaint, ComplaintTransition
from inspections.services.complaints import complaint_due
from registry.models import (
    ChangeStatus,
    Filing,
    FilingChange,
    FilingChangeTransition,
    FilingStatus,
    FilingTransition,
)
from registry.services.filings import filing_clock_deadlines
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.notify import notify

from .calendar import Deadline, Prefetched

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass
class RecomputeResult:
    filings: list[int] = field(default_factory=list)  # ids of filings whose clocks moved
    complaints: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)  # change filings under review

    @property
    def changed(self) -> int:
        return len(self.filings) + len(self.complaints) + len(self.changes)


@dataclass(frozen=True)
class _Message:
    user_id: int
    event_key: str
    title: str
    body: str
    link: str


def _link(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _iso(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _reviewers(region_codes: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for user_id, region_id in User.objects.filter(
        role=Role.HEALTH_REVIEWER, is_active=True, region_id__in=region_codes
    ).values_list("id", "region_id"):
        found.setdefault(region_id, []).append(user_id)
    return found


def _operators(institution_ids: set[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for user_id, institution_id in Membership.objects.filter(
        institution_id__in=institution_ids, user__is_active=True, user__role=Role.OPERATOR
    ).values_list("user_id", "institution_id"):
        found.setdefault(institution_id, []).append(user_id)
    return found


# Calendar rows fetched once for the whole batch: every clock that starts on one of the days
# and runs up to this long (a 15-working-day clock spans about 25 calendar days; longer ones
# beyond the span query for themselves).
_PREFETCH_SPAN = timedelta(days=400)


def _prefetch(days: set[date], regions: set[str]) -> Prefetched | None:
    if not days:
        return None
    return Prefetched.fetch(min(days), max(days) + _PREFETCH_SPAN, regions)


def _open_filings(today: date) -> Iterable[Filing]:
    return (
        Filing.objects.select_for_update(of=("self",))
        .filter(received_at__isnull=False)
        .filter(
            Q(status=FilingStatus.SUBMITTED)
            | Q(
                status=FilingStatus.FILED,
                conformity_decided_at__isnull=True,
                conformity_due__gte=today,
            )
        )
        .select_related("institution")
        .order_by("id")
    )


def _recompute_filings(
    today: date, reason: str, actor: User | None, messages: list[_Message]
) -> list[int]:
    memo: dict[tuple[str, date], tuple[Deadline, Deadline]] = {}
    changed: list[tuple[Filing, str]] = []
    filings = list(_open_filings(today))
    received = {f.pk: timezone.localtime(f.received_at).date() for f in filings if f.received_at}
    prefetched = _prefetch(set(received.values()), {f.region_id for f in filings})
    for filing in filings:
        received_on = received[filing.pk]
        key = (filing.region_id, received_on)
        if key not in memo:  # filings cluster by county and day: one count per cluster
            memo[key] = filing_clock_deadlines(filing.region_id, received_on, prefetched=prefetched)
        receipt, conformity = memo[key]
        # Once the receipt is issued its deadline is history; only the conformity clock runs.
        new_receipt = receipt.due if filing.status == FilingStatus.SUBMITTED else filing.receipt_due
        provisional = conformity.provisional or (
            filing.status == FilingStatus.SUBMITTED and receipt.provisional
        )
        old = (filing.receipt_due, filing.conformity_due, filing.clocks_provisional)
        new = (new_receipt, conformity.due, provisional)
        if old == new:
            continue
        details = {
            "clocks_recomputed": True,
            "receipt_due": [_iso(old[0]), _iso(new[0])],
            "conformity_due": [_iso(old[1]), _iso(new[1])],
            "provisional": [old[2], new[2]],
        }
        text = _("%(reason)s：回执期限 %(r0)s → %(r1)s，符合性告知期限 %(c0)s → %(c1)s%(p)s") % {
            "reason": reason,
            "r0": _iso(old[0]),
            "r1": _iso(new[0]),
            "c0": _iso(old[1]),
            "c1": _iso(new[1]),
            "p": _("（暂定）") if provisional else _("（已按正式安排确定）"),
        }
        FilingTransition.objects.create(
            filing=filing,
            from_status=filing.status,
            to_status=filing.status,
            actor=actor,
            reason=text,
            details=details,
        )
        filing.receipt_due, filing.conformity_due, filing.clocks_provisional = new
        filing.save(
            update_fields=["receipt_due", "conformity_due", "clocks_provisional", "updated_at"]
        )
        changed.append((filing, text))
    reviewers = _reviewers({f.region_id for f, _t in changed})
    operators = _operators({f.institution_id for f, _t in changed})
    for filing, text in changed:
        title = _("备案办理期限调整：%(name)s") % {"name": filing.institution.name}
        key = (
            f"deadline:filing:{filing.pk}:{_iso(filing.receipt_due)}:{_iso(filing.conformity_due)}"
        )
        for user_id in operators.get(filing.institution_id, []):
            messages.append(_Message(user_id, key, title, text, _link("filing-detail", filing.pk)))
        for user_id in reviewers.get(filing.region_id, []):
            messages.append(
                _Message(user_id, key, title, text, _link("reviewer-filing", filing.pk))
            )
    return [f.pk for f, _t in changed]


def _recompute_changes(reason: str, actor: User | None, messages: list[_Message]) -> list[int]:
    """Change filings awaiting review run on the filing's clocks (registry.services.changes)."""
    changes = list(
        FilingChange.objects.select_for_update(of=("self",))
        .filter(status=ChangeStatus.SUBMITTED, received_at__isnull=False)
        .select_related("filing__institution")
        .order_by("id")
    )
    moved: list[tuple[FilingChange, str]] = []
    for change in changes:
        assert change.received_at is not None
        receipt, conformity = filing_clock_deadlines(
            change.filing.region_id, timezone.localtime(change.received_at).date()
        )
        old = (change.receipt_due, change.conformity_due, change.clocks_provisional)
        new = (receipt.due, conformity.due, receipt.provisional or conformity.provisional)
        if old == new:
            continue
        text = _("%(reason)s：变更备案回执期限 %(r0)s → %(r1)s，审核期限 %(c0)s → %(c1)s") % {
            "reason": reason,
            "r0": _iso(old[0]),
            "r1": _iso(new[0]),
            "c0": _iso(old[1]),
            "c1": _iso(new[1]),
        }
        FilingChangeTransition.objects.create(
            change=change,
            from_status=change.status,
            to_status=change.status,
            actor=actor,
            note=text,
        )
        change.receipt_due, change.conformity_due, change.clocks_provisional = new
        change.save(
            update_fields=["receipt_due", "conformity_due", "clocks_provisional", "updated_at"]
        )
        moved.append((change, text))
    reviewers = _reviewers({c.filing.region_id for c, _t in moved})
    operators = _operators({c.filing.institution_id for c, _t in moved})
    for change, text in moved:
        title = _("变更备案办理期限调整：%(name)s") % {"name": change.filing.institution.name}
        key = (
            f"deadline:change:{change.pk}:{_iso(change.receipt_due)}:{_iso(change.conformity_due)}"
        )
        link = _link("filing-change-detail", change.pk)
        for user_id in operators.get(change.filing.institution_id, []):
            messages.append(_Message(user_id, key, title, text, link))
        for user_id in reviewers.get(change.filing.region_id, []):
            messages.append(_Message(user_id, key, title, text, link))
    return [c.pk for c, _t in moved]


def _recompute_complaints(reason: str, actor: User | None, messages: list[_Message]) -> list[int]:
    memo: dict[tuple[str, date], date] = {}
    changed: list[tuple[Complaint, str]] = []
    rows = (
        Complaint.objects.select_for_update(of=("self",))
        .exclude(status__in=Complaint.CLOSED)
        .select_related("institution")
        .order_by("id")
    )
    rows = list(rows)
    received = {c.pk: timezone.localtime(c.created_at).date() for c in rows}
    prefetched = _prefetch(set(received.values()), {c.region_id for c in rows})
    for complaint in rows:
        received_on = received[complaint.pk]
        key = (complaint.region_id, received_on)
        if key not in memo:
            memo[key] = complaint_due(complaint.region_id, received_on, prefetched=prefetched)
        due = memo[key]
        if due == complaint.due_on:
            continue
        text = _("%(reason)s：办理期限 %(old)s → %(new)s") % {
            "reason": reason,
            "old": _iso(complaint.due_on),
            "new": _iso(due),
        }
        ComplaintTransition.objects.create(
            complaint=complaint,
            from_status=complaint.status,
            to_status=complaint.status,
            actor=actor,
            note=text,
        )
        complaint.due_on = due
        complaint.save(update_fields=["due_on", "updated_at"])
        changed.append((complaint, text))
    reviewers = _reviewers({c.region_id for c, _t in changed})
    for complaint, text in changed:
        title = _("投诉办理期限调整：%(name)s") % {"name": complaint.institution.name}
        for user_id in reviewers.get(complaint.region_id, []):
            messages.append(
                _Message(
                    user_id,
                    f"deadline:complaint:{complaint.pk}:{complaint.due_on.isoformat()}",
                    title,
                    text,
                    _link("complaint-triage", complaint.pk),
                )
            )
    return [c.pk for c, _t in changed]


def _send(messages: list[_Message]) -> None:
    users = User.objects.in_bulk({m.user_id for m in messages})
    for message in messages:
        notify(
            users[message.user_id],
            kind=NotificationKind.DEADLINE_CHANGED,
            event_key=message.event_key,
            title=message.title,
            body=message.body,
            link=message.link,
        )


@transaction.atomic
def recompute_open_clocks(*, reason: str, actor: User | None = None) -> RecomputeResult:
    """Move every open clock to what the calendar says now; history rows in this transaction,
    notifications once it commits (a rolled-back load tells nobody)."""
    messages: list[_Message] = []
    with translation.override("zh-hans"):
        today = timezone.localdate()
        result = RecomputeResult(
            filings=_recompute_filings(today, reason, actor, messages),
            complaints=_recompute_complaints(reason, actor, messages),
            changes=_recompute_changes(reason, actor, messages),
        )
    if messages:
        transaction.on_commit(lambda: _send(messages))
    return result
