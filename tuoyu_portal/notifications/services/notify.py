"""The one way to notify a user: an inbox row per (recipient, event), e-mail only when new."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from tuoyu_portal.accounts.models import User
from tuoyu_portal.notifications.models import Notification, NotificationKind

if TYPE_CHECKING:
    from tuoyu_portal.regions.recompute import Message

logger = logging.getLogger(__name__)


def notify(
    user: User, *, kind: str, event_key: str, title: str, body: str = "", link: str = ""
) -> Notification | None:
    """Record a notification for `user` and e-mail it, once per (user, event_key).

    1. Insert the row; the unique constraint (recipient, event_key) makes a second call for the
       same event a no-op (also under concurrent beat runs: the loser's INSERT conflicts).
    2. Only the call that created the row sends the e-mail (Django's e-mail backend; console by
       default) and stamps `emailed_at`. A failed send is logged and leaves `emailed_at` empty.

    Returns the new notification, or None when it existed already.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user,
                kind=kind,
                event_key=event_key[:120],
                title=title[:200],
                body=body,
                link=link[:300],
            )
    except IntegrityError:
        return None
    if user.email:
        url = f"{settings.SITE_URL}{link}" if link.startswith("/") else link
        message = f"{body}\n\n{url}" if url else body
        try:
            send_mail(title, message, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:  # the inbox row stands; the e-mail is best effort
            logger.exception("notification e-mail failed", extra={"notification": notification.pk})
        else:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return notification


def mark_read(notification: Notification, *, actor: User) -> None:
    """The recipient marks one notification read (idempotent)."""
    Notification.objects.filter(pk=notification.pk, recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notify_moved_clocks(sender: object, *, messages: list[Message], **_kwargs: object) -> None:
    """Receiver of `clocks_moved` (connected in NotificationsConfig.ready): each person whose
    deadline moved with the calendar is told, once per moved date."""
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
