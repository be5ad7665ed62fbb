"""Reading bulk-import files (CSV or XLSX) of institutions already registered elsewhere.

Only parsing lives here: turning a file into rows of strings keyed by our field names, with the
Chinese headers documented on the import page. Rules and writes are in
`registry.services.bulk_import`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from registry.models import CareMode, LegalNature

# Column header → field name. The order is the order of the template file.
COLUMNS: dict[str, str] = {
    "机构名称": "name",
    "法人性质": "legal_nature",
    "托育方式": "care_modes",
    "业务范围": "business_scope",
    "所在县区代码": "region",
    "地址": "address",
    "法定代表人": "legal_representative_name",
    "法定代表人身份证号": "legal_representative_id_number",
    "联系电话": "contact_phone",
    "统一社会信用代码": "credit_code",
    "登记日期": "approved_on",
}
# What each column takes, shown on the import page.
COLUMN_HELP: dict[str, Any] = {
    "机构名称": _("须符合本地区名称规则（含“托育”及托育方式）"),
    "法人性质": _(
        "事业单位 / 社会服务机构 / 营利性（或 public_institution / nonprofit / for_profit）"
    ),
    "托育方式": _("全日托、半日托、计时托、临时托，多个用“、”分隔"),
    "业务范围": _("须含“托育服务”或“3岁以下婴幼儿照护服务”"),
    "所在县区代码": _("6位县级行政区划代码"),
    "地址": _("住所/经营场所"),
    "法定代表人": _("姓名"),
    "法定代表人身份证号": _("18位居民身份证号码"),
    "联系电话": _("手机或固定电话"),
    "统一社会信用代码": _("18位，必填；前两位须与法人性质一致（12/52/91或92）"),
    "登记日期": _("YYYY-MM-DD，可空（空则为导入当日）"),
}

LEGAL_NATURE_WORDS: dict[str, str] = {
    "事业单位": LegalNature.PUBLIC_INSTITUTION,
    "社会服务机构": LegalNature.NONPROFIT,
    "民办非企业单位": LegalNature.NONPROFIT,
    "民办非企业": LegalNature.NONPROFIT,
    "营利性": LegalNature.FOR_PROFIT,
    "营利性机构": LegalNature.FOR_PROFIT,
    "企业": LegalNature.FOR_PROFIT,
    "个体工商户": LegalNature.FOR_PROFIT,
    **{value: value for value in LegalNature.values},
}
# 全日制/半日制/计时制 are the local words for the first three national modes (domain §1).
CARE_MODE_WORDS: dict[str, str] = {
    "全日托": CareMode.FULL_DAY,
    "全日制": CareMode.FULL_DAY,
    "半日托": CareMode.HALF_DAY,
    "半日制": CareMode.HALF_DAY,
    "计时托": CareMode.HOURLY,
    "计时制": CareMode.HOURLY,
    "临时托": CareMode.TEMPORARY,
    **{value: value for value in CareMode.values},
}
CARE_MODE_SEPARATORS = ("、", ",", "，", ";", "；", "/", " ")

XLSX_MAGIC = b"PK\x03\x04"
# Upload ceiling: 10 000 rows of CSV are about 2 MB, so 10 MB leaves room for XLSX overhead.
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, missing columns)."""


@dataclass
class ImportRow:
    number: int  # the spreadsheet row number people see (header is row 1)
    values: dict[str, str]
    raw: dict[str, Any] = field(default_factory=dict)


def template_csv() -> str:
    """The downloadable template: the header row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS))
    writer.writerow(
        [
            "岚山区示例全日制托育有限公司",
            "营利性",
            "全日托、计时托",
            "托育服务；3岁以下婴幼儿照护服务",
            "371103",
            "日照市岚山区安东卫街道1号",
            "张三",
            "11010519491231002X",
            "13800000000",
            "91110000600037341L",
            "2024-05-01",
        ]
    )
    return out.getvalue()


def read_rows(content: bytes, file_name: str) -> list[ImportRow]:
    """Rows of a CSV (UTF-8, BOM allowed) or XLSX file; blank rows are skipped."""
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        table = _read_xlsx(content)
    else:
        table = _read_csv(content)
    if not table:
        raise ImportFileError(_("文件为空。"))
    header = [_text(cell) for cell in table[0]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ImportFileError(_("缺少列：%(cols)s") % {"cols": "、".join(missing)})
    index = {COLUMNS[name]: header.index(name) for name in COLUMNS}
    rows: list[ImportRow] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(_text(cell) for cell in cells):
            continue
        values = {
            key: _text(cells[position]) if position < len(cells) else ""
            for key, position in index.items()
        }
        rows.append(ImportRow(number=number, values=values))
    return rows


def _read_csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("CSV 文件须为 UTF-8 编码。"))
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _read_xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    from tuoyu_portal.uploads import zip_is_safe

    if not zip_is_safe(content):  # zip bomb or not an archive: refuse before inflating anything
        raise ImportFileError(_("无法读取该 XLSX 文件（损坏或解压后过大）。"))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean "unreadable"
        raise ImportFileError(_("无法读取该 XLSX 文件。"))
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _text(cell: Any) -> str:
    """A cell as text: spreadsheets turn codes into numbers and dates into datetimes."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def parse_care_modes(value: str) -> list[str] | None:
    """Care modes from 、-separated words; None if any word is unknown."""
    text = value
    for separator in CARE_MODE_SEPARATORS[1:]:
        text = text.replace(separator, CARE_MODE_SEPARATORS[0])
    words = [word.strip() for word in text.split(CARE_MODE_SEPARATORS[0]) if word.strip()]
    modes = [CARE_MODE_WORDS.get(word) for word in words]
    if not modes or any(mode is None for mode in modes):
        return None
    return list(dict.fromkeys(mode for mode in modes if mode))


def parse_date(value: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None
