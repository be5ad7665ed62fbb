"""The public summary of a filing's latest inspection, written by the inspections app.

Registry never imports inspections (architecture.md): inspections calls this with a plain dict.
"""

from __future__ import annotations

from typing import Any

from registry.models import Filing


def set_latest_inspection(filing_id: int, summary: dict[str, Any] | None) -> None:
    """Store (or clear) the public summary shown in the register; a plain UPDATE, no history
    because it is derived data that the inspections app recomputes whenever it changes."""
    Filing.objects.filter(pk=filing_id).update(latest_inspection=summary)
