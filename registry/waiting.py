"""What waits for registry staff on the home page (settings.HOME_WAITING): queues to work."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from registry.models import Filing, FilingStatus, Registration
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.notifications.services.waiting import capped_count


def staff_actions(user: User) -> list[dict[str, Any]]:
    """Registrars: applications to decide. Health reviewers: filings to receive or re-check."""
    actions: list[dict[str, Any]] = []
    if user.role == Role.REGISTRAR:
        count = capped_count(Registration.objects.visible_to(user).queue())
        if count:
            actions.append(
                {
                    "text": _("待审核的登记申请 %(count)s 件") % {"count": count},
                    "url": reverse("registrar-queue"),
                }
            )
    elif user.role == Role.HEALTH_REVIEWER:
        filings = Filing.objects.visible_to(user)
        count = capped_count(filings.filter(status=FilingStatus.SUBMITTED))
        if count:
            actions.append(
                {
                    "text": _("待出具回执或一次性告知补正的备案 %(count)s 件") % {"count": count},
                    "url": reverse("reviewer-queue"),
                }
            )
    return actions
