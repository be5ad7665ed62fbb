"""What waits for a subsidy officer on the home page (settings.HOME_WAITING)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from subsidies.models import Claim
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.notifications.services.waiting import capped_count


def staff_actions(user: User) -> list[dict[str, Any]]:
    """Subsidy officers: claims to decide."""
    if user.role != Role.SUBSIDY_OFFICER:
        return []
    count = capped_count(Claim.objects.visible_to(user).queue())
    if not count:
        return []
    return [
        {
            "text": _("待审核的补贴申请 %(count)s 件") % {"count": count},
            "url": reverse("subsidy-queue"),
        }
    ]
