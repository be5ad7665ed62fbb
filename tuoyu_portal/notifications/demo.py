"""Demo data: run every notification scan once so the demo users' inboxes show real events."""

from __future__ import annotations

from typing import IO

from .services import scans


def seed(stdout: IO[str]) -> None:
    sent = (
        scans.scan_filing_events()
        + scans.scan_findings()
        + scans.scan_expiries()
        + scans.scan_claim_decisions()
        + scans.scan_overdue_clocks()
    )
    stdout.write(f"notifications: {sent} sent")
