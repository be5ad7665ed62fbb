"""Thin Celery tasks of the registry app (style.md §8)."""

from __future__ import annotations

from celery import shared_task

from registry.services import reconciliation


@shared_task(name="registry.tasks.reconcile_registrations")
def reconcile_registrations() -> int:
    return reconciliation.reconcile_registrations().mismatch_count


@shared_task
def send_staff_health_certificate_reminders() -> int:
    """Daily: remind operators of staff health certificates about to expire (idempotent)."""
    from registry.services.staff import send_health_certificate_reminders

    return send_health_certificate_reminders()
