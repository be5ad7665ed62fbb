"""Thin Celery tasks of the audit trail (scheduled in tuoyu_portal/celery.py)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task(name="tuoyu_portal.audit.tasks.checkpoint_audit_chain")
def checkpoint_audit_chain() -> int:
    """Seal every finished day not yet sealed (idempotent; catches up after downtime)."""
    from .chain import checkpoint_through

    return len(checkpoint_through(timezone.localdate() - timedelta(days=1)))


@shared_task(name="tuoyu_portal.audit.tasks.purge_expired_audit_events")
def purge_expired_audit_events() -> int:
    """Delete sealed events older than AUDIT_RETENTION_DAYS (idempotent)."""
    from .chain import purge_expired_events

    return purge_expired_events()
