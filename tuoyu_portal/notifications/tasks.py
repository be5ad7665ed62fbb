"""Thin tasks: the e-mail of one notification, its sweep, and the deadline scans (style.md §8)."""

from __future__ import annotations

from celery import shared_task

from .services import notify, scans


@shared_task(name="notifications.tasks.send_notification_email", acks_late=True)
def send_notification_email(notification_id: int) -> bool:
    """The e-mail copy of one notification, published after the event's commit."""
    return notify.send_email_by_id(notification_id)


@shared_task(name="notifications.tasks.send_pending_emails")
def send_pending_emails() -> int:
    """E-mails whose task was lost (the broker was down at commit time)."""
    return notify.send_pending_emails()


@shared_task(name="notifications.tasks.notify_findings")
def notify_findings() -> int:
    """New findings, coming deadlines and overdue rectifications → operators."""
    return scans.run_scan("findings")


@shared_task(name="notifications.tasks.notify_expiries")
def notify_expiries() -> int:
    """Staff health certificates and leases ending soon → operators."""
    return scans.run_scan("expiries")


@shared_task(name="notifications.tasks.notify_overdue_clocks")
def notify_overdue_clocks() -> int:
    """Overdue receipt / conformity clocks → health reviewers of the filing's county."""
    return scans.run_scan("overdue_clocks")
