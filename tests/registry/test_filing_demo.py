"""The filing demo seeds a filed and a submitted filing, idempotently."""

from __future__ import annotations

import io

from registry import demo_filings
from registry.models import Filing
from tests import factories
from tuoyu_portal.accounts.models import Role


def test_it_seeds_demo_filings_idempotently(db: None) -> None:
    factories.UserFactory(username="operator", role=Role.OPERATOR, region_id="371103")
    factories.UserFactory(username="health", role=Role.HEALTH_REVIEWER, region_id="371103")
    demo_filings.seed(io.StringIO())
    demo_filings.seed(io.StringIO())
    statuses = sorted(Filing.objects.values_list("status", flat=True))
    assert statuses == ["filed", "submitted"]
    filed = Filing.objects.get(status="filed")
    assert filed.filing_number.startswith("371103-")
    assert filed.documents.count() == 6  # five materials + food licence (meals on site)
