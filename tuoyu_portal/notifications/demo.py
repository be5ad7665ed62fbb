"""Demo data: run every notification scan once so the demo users' inboxes show real events."""

from __future__ import annotations

from typing import IO

from .services import scans


def seed(stdout: IO[str]) -> None:
    sent = sum(scan() for scan in scans.configured_scans().values())
    stdout.write(f"notifications: {sent} sent")
