"""Thin beat tasks: each runs one idempotent scan (style.md §8) and returns how many it sent."""

from __future__ import annotations

from celery import shared_task

from .services import scans


@shared_task(name="notifications.tasks.notify_filing_events")
def notify_filing_events() -> int:
    """Supplement requests, receipts and nonconformity notices → operators."""
    return scans.run_scan("filing_events")


@shared_task(name="notifications.tasks.notify_findings")
def notify_findings() -> int:
    """New findings, coming deadlines and overdue rectifications → operators."""
    return scans.run_scan("findings")


@shared_task(name="notifications.tasks.notify_expiries")
def notify_expiries() -> int:
    """Staff health certificates and leases ending soon → operators."""
    return scans.run_scan("expiries")


@shared_task(name="notifications.tasks.notify_claim_decisions")
def notify_claim_decisions() -> int:
    """Subsidy claim decisions → operators."""
    return scans.run_scan("claim_decisions")


@shared_task(name="notifications.tasks.notify_overdue_clocks")
def notify_overdue_clocks() -> int:
    """Overdue receipt / conformity clocks → health reviewers of the filing's county."""
    return scans.run_scan("overdue_clocks")
