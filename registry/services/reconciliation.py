"""Nightly reconciliation: approved registrations vs received events vs filings, per county."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from registry.models import (
    Filing,
    FilingStatus,
    HealthInboxEntry,
    InboxEvent,
    ReconciliationReport,
    Registration,
    RegistrationStatus,
)

logger = logging.getLogger(__name__)


def reconcile_registrations(*, run_on: datetime.date | None = None) -> ReconciliationReport:
    """Count per county with one aggregate query per source; store (or refresh) the day's report.

    A county is a mismatch when registrations approved ≠ approval events received (a push is
    missing or extra). Filings are reported beside them: fewer filings than registrations is the
    normal registered-not-yet-filed backlog the inbox shows, so it is a figure, not a mismatch.
    """
    run_on = run_on or timezone.localdate()
    approved = dict(
        Registration.objects.filter(status=RegistrationStatus.APPROVED)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    received = dict(
        HealthInboxEntry.objects.filter(event=InboxEvent.APPROVED)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    cancelled_received = dict(
        HealthInboxEntry.objects.filter(event=InboxEvent.CANCELLED)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    # Submitted or further on, as in the inbox: a draft is not a filing yet.
    filings = dict(
        Filing.objects.exclude(status__in=[FilingStatus.DEREGISTERED, FilingStatus.DRAFT])
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    figures: dict[str, dict[str, int]] = {}
    mismatches: list[dict[str, object]] = []
    for county in sorted(set(approved) | set(received) | set(filings)):
        # Approval events still count after a cancellation, so compare against approved +
        # cancelled-after-approval as received cancellations.
        row = {
            "approved": approved.get(county, 0),
            "received": received.get(county, 0) - cancelled_received.get(county, 0),
            "received_approvals": received.get(county, 0),
            "received_cancellations": cancelled_received.get(county, 0),
            "filings": filings.get(county, 0),
        }
        figures[county] = row
        if row["approved"] != row["received"]:
            mismatches.append(
                {"region": county, "approved": row["approved"], "received": row["received"]}
            )
    with transaction.atomic():
        report, _created = ReconciliationReport.objects.update_or_create(
            run_on=run_on,
            defaults={
                "figures": figures,
                "mismatches": mismatches,
                "mismatch_count": len(mismatches),
            },
        )
    if mismatches:
        logger.warning("reconciliation %s: %s counties mismatch", run_on, len(mismatches))
    return report
