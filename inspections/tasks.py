"""Thin Celery tasks of the inspections app (style.md §8)."""

from __future__ import annotations

from celery import shared_task

from .services import findings


@shared_task(acks_late=True)
def flag_overdue_findings() -> int:
    """Daily: flag findings past their deadline and escalate each once to the county bureau."""
    return findings.flag_overdue_findings()
