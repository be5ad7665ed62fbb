"""The one way to notify a user: an inbox row per (recipient, event), e-mail only when new.

An app's service calls `notify` (or `notify_all`) inside its own transaction, right where the
event happens: the inbox row is in PostgreSQL, so it commits with the event and is visible at
once, and a rolled-back event tells nobody. Only the e-mail needs the broker; it is published
after commit, never blocking and never raising (a stopped Redis cannot fail the event), and the
beat sweep `send_pending_emails` sends what the broker lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.background import TaskPublisher
from tuoyu_portal.notifications.models import Notification, NotificationKind

if TYPE_CHECKING:
    from tuoyu_portal.regions.recompute import Message

logger = logging.getLogger(__name__)

EMAIL_TASK = "notifications.tasks.send_notification_email"
# The sweep leaves the newest rows to their own task and gives up on a row after this long
# (the e-mail is a courtesy copy; the inbox row is the record).
EMAIL_SWEEP_GRACE = timedelta(minutes=1)
EMAIL_SWEEP_WINDOW = timedelta(hours=1)


def notify(
    user: User,
    *,
    kind: str,
    event_key: str,
    title: str,
    body: str = "",
    link: str = "",
    email_now: bool = False,
) -> Notification | None:
    """Record a notification for `user` and e-mail it, once per (user, event_key).

    1. Insert the row; the unique constraint (recipient, event_key) makes a second call for the
       same event a no-op (also under concurrent beat runs: the loser's INSERT conflicts).
    2. Only the call that created the row e-mails it. By default (a service at its event) the
       e-mail task is published after commit; `email_now` (a beat scan, already in a worker and
       outside any transaction) sends it here. A failed send is logged and leaves `emailed_at`
       empty.

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
        if email_now:
            send_email(notification)
        else:
            pk = notification.pk
            transaction.on_commit(lambda: schedule_email(pk))
    return notification


def notify_all(users: Iterable[User], **kwargs: Any) -> int:
    """`notify` each user; returns how many rows were new."""
    return sum(1 for user in users if notify(user, **kwargs) is not None)


def operators_of(institution_id: int) -> QuerySet[User]:
    """The active operator members of an institution: who hears about its registrations,
    filings and claims."""
    return User.objects.filter(
        is_active=True, role=Role.OPERATOR, memberships__institution_id=institution_id
    ).order_by("pk")


def health_reviewers_of(county_code: str) -> QuerySet[User]:
    """The active health reviewers of exactly this county (not of the city or province above:
    the county's own desk acts on it)."""
    return User.objects.filter(
        is_active=True, role=Role.HEALTH_REVIEWER, region_id=county_code
    ).order_by("pk")


def send_email(notification: Notification) -> bool:
    """E-mail one notification to its recipient (Django's e-mail backend; console by default)
    and stamp `emailed_at`. Best effort: a failure is logged, the inbox row stands."""
    user = notification.recipient
    if not user.email:
        return False
    link = notification.link
    url = f"{settings.SITE_URL}{link}" if link.startswith("/") else link
    message = f"{notification.body}\n\n{url}" if url else notification.body
    try:
        send_mail(notification.title, message, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # the inbox row stands; the e-mail is best effort
        logger.exception("notification e-mail failed", extra={"notification": notification.pk})
        return False
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def send_email_by_id(notification_id: int) -> bool:
    """Task body: e-mail the notification unless that was done already."""
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    return notification is not None and send_email(notification)


def send_pending_emails(now: datetime | None = None) -> int:
    """Beat sweep: e-mails whose task the broker lost (published while Redis was down), from
    the last hour, each retried until it is sent or out of the window."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__gte=now - EMAIL_SWEEP_WINDOW,
            created_at__lt=now - EMAIL_SWEEP_GRACE,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )
    return sum(1 for notification in pending if send_email(notification))


# After commit the request hands the id to this publisher and returns at once
# (tuoyu_portal.background); a broker outage only delays the e-mail: the sweep sends what was not
# published.
EMAILS = TaskPublisher("notification-email")


def schedule_email(notification_id: int) -> None:
    """Never blocks and never raises: runs from transaction.on_commit in request handlers."""
    EMAILS.publish(EMAIL_TASK, notification_id)


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
