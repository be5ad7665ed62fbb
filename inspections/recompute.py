"""Inspections' open working-day clocks moved after the calendar changed
(settings.CLOCK_RECOMPUTERS; see tuoyu_portal/regions/recompute.py): open complaints' due dates."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Complaint, ComplaintTransition
from inspections.services.complaints import complaint_due
from tuoyu_portal.accounts.models import User
from tuoyu_portal.accounts.selectors import reviewers_of
from tuoyu_portal.regions.recompute import Message, iso, link, prefetch_calendar


def recompute_complaints(
    today: date, reason: str, actor: User | None, messages: list[Message]
) -> list[int]:
    memo: dict[tuple[str, date], date] = {}
    changed: list[tuple[Complaint, str]] = []
    rows = list(
        Complaint.objects.select_for_update(of=("self",))
        .exclude(status__in=Complaint.CLOSED)
        .select_related("institution")
        .order_by("id")
    )
    received = {c.pk: timezone.localtime(c.created_at).date() for c in rows}
    prefetched = prefetch_calendar(set(received.values()), {c.region_id for c in rows})
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
            "old": iso(complaint.due_on),
            "new": iso(due),
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
    reviewers = reviewers_of({c.region_id for c, _t in changed})
    for complaint, text in changed:
        title = _("投诉办理期限调整：%(name)s") % {"name": complaint.institution.name}
        for user_id in reviewers.get(complaint.region_id, []):
            messages.append(
                Message(
                    user_id,
                    f"deadline:complaint:{complaint.pk}:{complaint.due_on.isoformat()}",
                    title,
                    text,
                    link("complaint-triage", complaint.pk),
                )
            )
    return [c.pk for c, _t in changed]
