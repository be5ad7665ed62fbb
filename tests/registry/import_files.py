"""Generators of bulk-import files for the tests: N rows, every k-th row broken in some way."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook

from registry.bulk_import import COLUMNS
from tests.factories import credit_code, id_number

# Each bad row breaks exactly one rule, cycling through these.
BREAKAGES: list[tuple[str, str, str]] = [
    ("credit_code", "91371103000000000X", "credit_code_invalid"),
    ("legal_representative_id_number", "371103198506120010", "id_number_invalid"),
    ("name", "岚山区阳光全日制幼儿照护中心", "name_missing_tuoyu"),
    ("business_scope", "教育咨询", "scope_missing_tuoyu"),
    ("region", "379999", "region_unknown"),
]


def rows(count: int, bad_every: int, offset: int = 0) -> tuple[list[list[object]], list[str]]:
    """Rows of the import file and the expected error code of each bad row, in order."""
    table: list[list[object]] = []
    expected: list[str] = []
    for index in range(count):
        serial = offset + index
        row: dict[str, object] = {
            "name": f"岚山区第{serial}全日制托育有限公司",
            "legal_nature": "营利性",
            "care_modes": "全日托、计时托",
            "business_scope": "托育服务",
            "region": "371103",
            "address": f"日照市岚山区安东卫街道{serial}号",
            "legal_representative_name": "张三",
            "legal_representative_id_number": id_number(serial=serial),
            "contact_phone": "13800000000",
            "credit_code": credit_code(10_000 + serial),
            "approved_on": "2024-05-01",
        }
        if (index + 1) % bad_every == 0:
            key, value, code = BREAKAGES[len(expected) % len(BREAKAGES)]
            row[key] = value
            expected.append(code)
        table.append([row[name] for name in COLUMNS.values()])
    return table, expected


def as_csv(table: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS))
    writer.writerows(table)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(table: list[list[object]]) -> bytes:
    """Like a real spreadsheet: county codes as numbers, dates as dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in table:
        cells = list(row)
        cells[4] = int(str(cells[4]))
        cells[10] = datetime.strptime(str(cells[10]), "%Y-%m-%d")
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
