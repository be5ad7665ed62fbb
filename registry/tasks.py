"""Thin Celery tasks of the registry app."""

from __future__ import annotations

from celery import shared_task

from registry.services import reconciliation


@shared_task(name="registry.tasks.reconcile_registrations")
def reconcile_registrations() -> int:
    return reconciliation.reconcile_registrations().mismatch_count
