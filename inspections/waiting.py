"""What waits for the county health bureau on the home page (settings.HOME_WAITING)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from inspections.models import Complaint
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.notifications.services.waiting import capped_count


def staff_actions(user: User) -> list[dict[str, Any]]:
    """Health reviewers: complaints not yet closed."""
    if user.role != Role.HEALTH_REVIEWER:
        return []
    count = capped_count(Complaint.objects.visible_to(user).exclude(status__in=Complaint.CLOSED))
    if not count:
        return []
    return [
        {
            "text": _("未办结的投诉举报 %(count)s 件") % {"count": count},
            "url": reverse("complaint-queue"),
        }
    ]
