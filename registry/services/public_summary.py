"""The public summary of a filing's latest inspection, written by the inspections app.

Registry never imports inspections (architecture.md): inspections calls this with a plain dict.
"""

from __future__ import annotations

from typing import Any

from registry.models import Filing
from tuoyu_portal.publiccache import bump_version


def set_latest_inspection(filing_id: int, summary: dict[str, Any] | None) -> None:
    """Store (or clear) the public summary shown in the register; a plain UPDATE, no history
    because it is derived data that the inspections app recomputes whenever it changes."""
    Filing.objects.filter(pk=filing_id).update(latest_inspection=summary)
    bump_version()  # the register shows this summary; its cached answers are now stale


def set_suspension(filing_id: int, summary: dict[str, Any] | None) -> None:
    """Store (or clear) the order to stop service in force on a filing: {"decision_ref",
    "decided_on", "until"}. The verify page, the public API and the register read it."""
    Filing.objects.filter(pk=filing_id).update(suspension=summary)
    bump_version()  # verify answers and register cards now say something else
