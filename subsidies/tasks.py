"""Celery tasks of the subsidies app: ids in, one service call (style.md §8)."""

from __future__ import annotations

from celery import shared_task

from . import attendance


@shared_task(acks_late=True)
def send_attendance_links(claim_id: int) -> int:
    """After a family-fee claim is submitted: one-time links to the parents (idempotent)."""
    return attendance.send_links(claim_id)


@shared_task(acks_late=True)
def remind_attendance() -> int:
    """Daily: fresh links to parents who have not answered (idempotent within a day)."""
    return attendance.remind_pending()
