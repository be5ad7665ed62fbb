"""Recompute every open working-day clock after the calendar changed (a year's schedule loaded or
edited, an override row saved): due dates are stored at submission, so they must be moved here.

What stores a due date counted in working days, and is recomputed while it runs:
- filings: `receipt_due` while the receipt is awaited (`submitted`), `conformity_due` until the
  bureau has decided on conformity (`submitted`, or `filed` with no decision yet and the clock not
  past), and `clocks_provisional`;
- complaints: `due_on` of an open complaint where the region counts it in working days.
Supplement requests carry no due date, and rectification deadlines (findings) and subsidy claims
are counted in calendar days, so the calendar does not move them.

The apps move their own clocks (settings.CLOCK_RECOMPUTERS: registry/recompute.py,
inspections/recompute.py); this module runs them and holds what they share.

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

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from .calendar import Prefetched

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User

# Sent once a recompute has committed, with `messages` (a list of Message): the notifications
# app tells each person (the calendar sits below the accounts and the inboxes, so it names
# neither).
clocks_moved = Signal()


@dataclass
class RecomputeResult:
    # recomputer name (settings.CLOCK_RECOMPUTERS) -> ids of the objects whose clocks moved
    moved: dict[str, list[int]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(len(ids) for ids in self.moved.values())


@dataclass(frozen=True)
class Message:
    user_id: int
    event_key: str
    title: str
    body: str
    link: str


def link(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def iso(value: date | None) -> str:
    return value.isoformat() if value else "—"


# Calendar rows fetched once for the whole batch: every clock that starts on one of the days
# and runs up to this long (a 15-working-day clock spans about 25 calendar days; longer ones
# beyond the span query for themselves).
_PREFETCH_SPAN = timedelta(days=400)


def prefetch_calendar(days: set[date], regions: set[str]) -> Prefetched | None:
    if not days:
        return None
    return Prefetched.fetch(min(days), max(days) + _PREFETCH_SPAN, regions)


@transaction.atomic
def recompute_open_clocks(*, reason: str, actor: User | None = None) -> RecomputeResult:
    """Move every open clock to what the calendar says now; history rows in this transaction,
    notifications once it commits (a rolled-back load tells nobody)."""
    messages: list[Message] = []
    with translation.override("zh-hans"):
        today = timezone.localdate()
        # Each app moves its own clocks (the platform imports no app), in the configured order.
        result = RecomputeResult(
            {
                name: import_string(path)(today, reason, actor, messages)
                for name, path in settings.CLOCK_RECOMPUTERS.items()
            }
        )
    if messages:
        transaction.on_commit(lambda: clocks_moved.send(sender=RecomputeResult, messages=messages))
    return result
