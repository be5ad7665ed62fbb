"""Who hears of a new complaint, at the moment it is received.

Called by `submit_complaint` inside its transaction (see registry/notifications.py for why): the
county's reviewers have it in their inbox as soon as the complainant has the tracking code. The
institution is never told, and the complainant's contact is never in the text.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from inspections.models import Complaint
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.notify import health_reviewers_of, notify_all

EXCERPT = 120  # characters of the complaint shown in the notification


def complaint_received(complaint: Complaint, *, name: str) -> int:
    """A complaint about `name` → the health reviewers of the complaint's county."""
    with translation.override("zh-hans"):
        content = complaint.content
        excerpt = content if len(content) <= EXCERPT else f"{content[:EXCERPT]}…"
        due = complaint.due_on
        return notify_all(
            health_reviewers_of(complaint.region_id),
            kind=NotificationKind.COMPLAINT_RECEIVED,
            event_key=f"complaint:{complaint.pk}",
            title=_("新投诉举报：%(name)s") % {"name": name},
            body=_("请于%(due)s前办结。投诉内容：%(text)s")
            % {"due": f"{due.year}年{due.month}月{due.day}日", "text": excerpt},
            link=reverse("complaint-queue"),
        )
