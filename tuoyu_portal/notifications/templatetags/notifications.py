"""`{% notifications_link %}`: the header link to the inbox with the unread count."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tuoyu_portal.accounts.models import Role
from tuoyu_portal.notifications.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    # One small indexed query (notification_inbox_idx); capped so it never counts a long tail.
    unread = len(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values("id")[:100]
    )
    label = _("通知")
    # Reviewers and supervisors also get the statistics link (dashboard roles, no import of the
    # dashboard app: notifications stays independent of it).
    stats = ""
    if user.has_role(Role.HEALTH_REVIEWER, Role.SUPERVISOR):
        stats = format_html('<a href="{}">{}</a> ', reverse("dashboard"), _("统计分析"))
    if unread:
        count = "99+" if unread > 99 else str(unread)
        return format_html(
            '{}<a href="{}">{} <span class="badge">{}</span><span class="visually-hidden">{}</span></a>',
            stats,
            reverse("notifications"),
            label,
            count,
            _("条未读"),
        )
    return format_html('{}<a href="{}">{}</a>', stats, reverse("notifications"), label)


# How many unread notifications a home page lists; the inbox has the rest.
HOME_UNREAD = 10


@register.inclusion_tag("notifications/_unread.html", takes_context=True)
def unread_notifications(context: dict[str, Any]) -> dict[str, Any]:
    """A home page's "what waits for you": the newest unread notifications, each opening its
    page (and marking it read) in one click."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rows: list[Notification] = []
    if user is not None and user.is_authenticated:
        rows = list(
            Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-id")[
                : HOME_UNREAD + 1
            ]
        )
    return {
        "unread": rows[:HOME_UNREAD],
        "more": len(rows) > HOME_UNREAD,
        "csrf_token": context.get("csrf_token"),
    }
