"""Subsidies' part of every region's statistics (settings.DASHBOARD_FIGURE_SOURCES): 元 paid per
scheme kind, read through the selector (one grouped query for all regions of a table)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from subsidies.models import SchemeKind
from subsidies.selectors import paid_by_scheme_per_region
from tuoyu_portal.dashboard.figures import FigureSource, Scope


def collect(
    scope: Scope, keys: list[str], year: int, today: datetime.date
) -> dict[str, dict[str, Any]]:
    paid = paid_by_scheme_per_region(scope.prefix, scope.group_len, year)
    return {
        key: {
            "subsidy_paid_by_scheme": {
                kind: paid.get(key, {}).get(kind, Decimal("0")) for kind in SchemeKind.values
            }
        }
        for key in keys
    }


SOURCE = FigureSource(
    collect=collect, item_labels={"subsidy_paid_by_scheme": dict(SchemeKind.choices)}
)
