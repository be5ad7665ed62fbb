"""Registry's open working-day clocks moved after the calendar changed
(settings.CLOCK_RECOMPUTERS; see tuoyu_portal/regions/recompute.py): filings' receipt and
conformity clocks, and change filings under review, which run on the filing's clocks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import (
    ChangeStatus,
    Filing,
    FilingChange,
    FilingChangeTransition,
    FilingStatus,
    FilingTransition,
)
from registry.services.filings import filing_clock_deadlines
from tuoyu_portal.accounts.models import User
from tuoyu_portal.accounts.selectors import operators_of, reviewers_of
from tuoyu_portal.regions.calendar import Deadline
from tuoyu_portal.regions.recompute import Message, iso, link, prefetch_calendar


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


def recompute_filings(
    today: date, reason: str, actor: User | None, messages: list[Message]
) -> list[int]:
    memo: dict[tuple[str, date], tuple[Deadline, Deadline]] = {}
    changed: list[tuple[Filing, str]] = []
    filings = list(_open_filings(today))
    received = {f.pk: timezone.localtime(f.received_at).date() for f in filings if f.received_at}
    prefetched = prefetch_calendar(set(received.values()), {f.region_id for f in filings})
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
            "receipt_due": [iso(old[0]), iso(new[0])],
            "conformity_due": [iso(old[1]), iso(new[1])],
            "provisional": [old[2], new[2]],
        }
        text = _("%(reason)s：回执期限 %(r0)s → %(r1)s，符合性告知期限 %(c0)s → %(c1)s%(p)s") % {
            "reason": reason,
            "r0": iso(old[0]),
            "r1": iso(new[0]),
            "c0": iso(old[1]),
            "c1": iso(new[1]),
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
    reviewers = reviewers_of({f.region_id for f, _t in changed})
    operators = operators_of({f.institution_id for f, _t in changed})
    for filing, text in changed:
        title = _("备案办理期限调整：%(name)s") % {"name": filing.institution.name}
        event_key = (
            f"deadline:filing:{filing.pk}:{iso(filing.receipt_due)}:{iso(filing.conformity_due)}"
        )
        for user_id in operators.get(filing.institution_id, []):
            messages.append(
                Message(user_id, event_key, title, text, link("filing-detail", filing.pk))
            )
        for user_id in reviewers.get(filing.region_id, []):
            messages.append(
                Message(user_id, event_key, title, text, link("reviewer-filing", filing.pk))
            )
    return [f.pk for f, _t in changed]


def recompute_changes(
    today: date, reason: str, actor: User | None, messages: list[Message]
) -> list[int]:
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
            "r0": iso(old[0]),
            "r1": iso(new[0]),
            "c0": iso(old[1]),
            "c1": iso(new[1]),
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
    reviewers = reviewers_of({c.filing.region_id for c, _t in moved})
    operators = operators_of({c.filing.institution_id for c, _t in moved})
    for change, text in moved:
        title = _("变更备案办理期限调整：%(name)s") % {"name": change.filing.institution.name}
        key = f"deadline:change:{change.pk}:{iso(change.receipt_due)}:{iso(change.conformity_due)}"
        change_link = link("filing-change-detail", change.pk)
        for user_id in operators.get(change.filing.institution_id, []):
            messages.append(Message(user_id, key, title, text, change_link))
        for user_id in reviewers.get(change.filing.region_id, []):
            messages.append(Message(user_id, key, title, text, change_link))
    return [c.pk for c, _t in moved]
