"""The 岚山 schemes: seeded idempotently by the demo and by the data migration (the demo's claims:
tests/registry/test_demo.py)."""

from __future__ import annotations

import io
from decimal import Decimal

from subsidies import demo
from subsidies.models import Scheme, SchemeKind


def test_it_seeds_the_lanshan_schemes_once(db) -> None:
    Scheme.objects.all().delete()  # the data migration may already have created them
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    rows = {s.kind: s for s in Scheme.objects.filter(region_id="371103")}
    assert len(rows) == 4 and Scheme.objects.count() == 4
    assert rows[SchemeKind.STARTUP].amount == Decimal("20000.00")
    assert rows[SchemeKind.FAMILY_FEE].amount == Decimal("300.00")
    assert rows[SchemeKind.FAMILY_FEE].amount_third_plus == Decimal("600.00")
    assert rows[SchemeKind.DEMONSTRATION_AWARD].amount == Decimal("50000.00")
    assert rows[SchemeKind.PLACE_OPERATION].illustrative is True
    assert all(
        s.valid_from.isoformat() == "2025-01-01" and s.valid_to is None for s in rows.values()
    )


def test_it_validates_overlapping_schemes_before_saving(db) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    demo.seed(io.StringIO())
    overlapping = Scheme(
        region_id="371103", kind=SchemeKind.STARTUP, amount=Decimal("1"), valid_from="2026-01-01"
    )
    with pytest.raises(ValidationError):
        overlapping.full_clean()
