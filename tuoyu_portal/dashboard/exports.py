"""CSV and XLSX exports of the dashboard figures, in one long table.

Columns: region code, region name, year, figure, item, value. One row per scalar, so every
figure (also the per-status and per-severity breakdowns) exports the same way and a
spreadsheet pivot rebuilds any table of the page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from tuoyu_portal.text import SafeCsvWriter, spreadsheet_row

# Figure name → Chinese label; the order is the order of the page and of the export.
FIGURES: dict[str, Any] = {
    "filed_institutions": _("已备案机构数"),
    "places": _("备案托位数"),
    "inclusive_places": _("普惠托位数"),
    "inclusive_share": _("普惠托位占比"),
    "population": _("常住人口"),
    "places_per_1000": _("每千人口托位数"),
    "target_per_1000": _("每千人口托位数目标"),
    "filings_by_status": _("备案按状态"),
    "receipts_on_time_rate": _("5个工作日内出具回执比例"),
    "receipt_cases": _("回执时限考核件数"),
    "conformity_on_time_rate": _("15个工作日内作出符合性告知比例"),
    "conformity_cases": _("符合性告知件数"),
    "registered_not_filed": _("已登记未备案"),
    "inspection_coverage": _("本年检查覆盖率"),
    "visited_institutions": _("本年已检查机构数"),
    "open_findings_by_severity": _("未整改问题按严重程度"),
    "overdue_findings": _("逾期未整改问题"),
    "complaints": _("投诉"),
    "subsidy_paid_by_scheme": _("已拨付补贴（元）按类型"),
}
HEADER = ["region", "region_name", "year", "figure", "figure_label", "item", "value"]


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else value


def rows(figure_sets: Iterable[dict[str, Any]], only: str | None = None) -> Iterator[list[Any]]:
    """Long-format rows for each region's figures (the region first, then its children)."""
    for figures in figure_sets:
        for name, label in FIGURES.items():
            if only and name != only:
                continue
            value = figures.get(name)
            head = [figures["region"], figures.get("region_name", ""), figures["year"], name]
            if isinstance(value, dict):
                for item, item_value in value.items():
                    yield [*head, str(label), item, _value(item_value)]
            else:
                yield [*head, str(label), "", _value(value)]


def to_csv(table: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a BOM so Excel opens the Chinese labels correctly."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)  # every cell a value, never a formula
    writer.writerow(HEADER)
    writer.writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Iterable[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "statistics"
    sheet.append(HEADER)
    for row in table:
        sheet.append(spreadsheet_row(row))  # region names are text, never formulas
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
