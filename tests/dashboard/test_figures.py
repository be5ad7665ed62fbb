"""Dashboard figures against values computed by hand from `seed_stats` (see its docstring)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subsidies.selectors import paid_by_scheme
from tests.dashboard.factories import DONGGANG, LANSHAN, RIZHAO, make_filing
from tuoyu_portal.dashboard import figures

pytestmark = pytest.mark.django_db


def test_it_computes_the_county_figures_by_hand(stats: dict[str, Any]) -> None:
    fig = figures.region_figures(LANSHAN, 2026)

    assert fig["region"] == LANSHAN and fig["year"] == 2026
    assert fig["filed_institutions"] == 2  # F1 filed + F2 nonconforming
    assert fig["places"] == 50
    assert fig["inclusive_share"] == 0.6  # 30 of 50 places
    assert fig["population"] == 10000
    assert fig["places_per_1000"] == 5.0  # 50 / 10 000 × 1 000
    assert fig["target_per_1000"] == 4.72
    assert fig["filings_by_status"] == {
        "draft": 1,
        "submitted": 1,
        "supplement_requested": 0,
        "filed": 1,
        "nonconforming": 1,
        "closing": 0,
        "deregistered": 1,
    }
    assert fig["receipt_cases"] == 3 and fig["receipts_on_time_rate"] == 0.3333  # F1 of F1–F3
    assert fig["conformity_cases"] == 1 and fig["conformity_on_time_rate"] == 1.0
    # no filing at all + only a deregistered one + only a draft (F4: a draft is not a filing)
    assert fig["registered_not_filed"] == 3
    assert fig["inspection_coverage"] == 0.5  # F1 visited in 2026, F2 only in 2025
    assert fig["open_findings_by_severity"] == {"minor": 1, "major": 1, "critical": 0}
    assert fig["overdue_findings"] == 1
    assert fig["complaints"] == {
        "received": 2,
        "closed": 1,
        "open_overdue": 1,
        "mean_handling_days": 10.0,
    }
    assert fig["subsidy_paid_by_scheme"] == {
        "startup": Decimal("40000.00"),
        "place_operation": Decimal("0"),
        "family_fee": Decimal("1800.00"),
        "demonstration_award": Decimal("0"),
    }


def test_it_falls_back_to_the_rule_target_and_gives_null_rates_without_cases(
    stats: dict[str, Any],
) -> None:
    fig = figures.region_figures(DONGGANG, 2026)

    assert fig["places"] == 40 and fig["population"] == 20000
    assert fig["places_per_1000"] == 2.0
    assert fig["target_per_1000"] == 4.5  # national default of target_places_per_1000
    assert fig["receipts_on_time_rate"] is None
    assert fig["conformity_on_time_rate"] is None
    assert fig["inspection_coverage"] == 0.0


def test_it_sums_the_counties_population_for_a_city_without_a_row(stats: dict[str, Any]) -> None:
    fig = figures.region_figures(RIZHAO, 2026)

    assert fig["population"] == 30000
    assert fig["places"] == 90
    assert fig["places_per_1000"] == 3.0
    assert fig["receipts_on_time_rate"] == 0.3333


def test_it_gives_each_child_region_its_own_figures(stats: dict[str, Any]) -> None:
    rows = {row["region"]: row for row in figures.child_figures(RIZHAO, 2026)}

    assert rows[LANSHAN]["places_per_1000"] == 5.0
    assert rows[DONGGANG]["places_per_1000"] == 2.0
    assert rows[LANSHAN]["registered_not_filed"] == 3
    assert rows[DONGGANG]["registered_not_filed"] == 0
    empty = rows["371121"]  # 五莲县: no data at all
    assert empty["places"] == 0 and empty["receipts_on_time_rate"] is None


def test_it_groups_a_province_by_city(stats: dict[str, Any]) -> None:
    rows = {row["region"]: row for row in figures.child_figures("370000", 2026)}

    assert rows[RIZHAO]["places"] == 90
    assert rows[RIZHAO]["population"] == 30000
    assert rows["370100"]["places"] == 0


def test_it_lists_every_county_for_the_public_page(stats: dict[str, Any]) -> None:
    rows = {row["region"]: row for row in figures.child_figures("370000", 2026, counties=True)}

    assert rows[LANSHAN]["places"] == 50 and rows[DONGGANG]["places"] == 40
    assert RIZHAO not in rows


def test_it_counts_only_the_chosen_year(stats: dict[str, Any]) -> None:
    fig = figures.region_figures(LANSHAN, 2025)

    assert fig["inspection_coverage"] == 0.5  # F2's 2025 visit
    assert fig["subsidy_paid_by_scheme"]["demonstration_award"] == Decimal("50000.00")
    assert fig["receipts_on_time_rate"] is None


def _queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("code", "children"), [(LANSHAN, False), (RIZHAO, True), ("370000", True)])
def test_it_uses_the_same_number_of_queries_for_3_and_30_institutions(
    code: str, children: bool, django_assert_max_num_queries: Any
) -> None:
    def run() -> None:
        figures.region_figures(code, 2026)
        if children:
            figures.child_figures(code, 2026)

    for _ in range(3):
        make_filing(LANSHAN)
    small = _queries(run)
    for index in range(27):
        make_filing(LANSHAN if index % 2 else DONGGANG, inclusive=bool(index % 3))
    with django_assert_max_num_queries(small):
        run()
    assert _queries(run) == small
    assert small <= 24  # about one query per figure and level


def test_every_configured_figure_source_imports_and_labels_its_items() -> None:
    """A source that no longer imports would drop its figures from every dashboard."""
    sources = figures.figure_sources()
    assert len(sources) == len(settings.DASHBOARD_FIGURE_SOURCES) == 3
    assert all(isinstance(source, figures.FigureSource) for source in sources)
    assert set(figures.item_labels()) == {
        "filings_by_status",
        "open_findings_by_severity",
        "subsidy_paid_by_scheme",
    }


def test_the_paid_figure_is_the_subsidy_selector_s(stats: dict[str, Any]) -> None:
    for code in (LANSHAN, RIZHAO):
        assert figures.region_figures(code, 2026)["subsidy_paid_by_scheme"] == paid_by_scheme(
            code, 2026
        )
