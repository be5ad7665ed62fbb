"""XLSX export of a payment batch for the treasury (openpyxl, no formulas: values only, so any
reader — including one that does not evaluate formulas — sees the same totals). Every row goes
through ``spreadsheet_row``: a name such as ``=HYPERLINK(...)`` is text, never a live formula."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from tuoyu_portal.text import spreadsheet_row

from .amounts import format_month
from .models import Claim, PaymentBatch
from .sharing import city_share, split_line

MONEY_FORMAT = "#,##0.00"


def _append(sheet: Any, row: list[Any]) -> None:
    sheet.append(spreadsheet_row(row))


def _share(claim: Claim) -> Decimal:
    """The share recorded at payment; before payment, the share that would be recorded."""
    return claim.city_share if claim.city_share is not None else city_share(claim)


def _shares(claim: Claim) -> tuple[Decimal, Decimal]:
    if claim.city_amount is not None and claim.county_amount is not None:
        return claim.city_amount, claim.county_amount
    return split_line(claim.amount, _share(claim))


def batch_workbook(batch: PaymentBatch) -> bytes:
    """Two sheets: per-institution totals (with a grand total row) and every claim line priced,
    each amount also split into the city's and the county's shares (市级承担 / 县级承担).

    Amounts are written as numbers with two decimals; the last row of the first sheet is the
    batch total.
    """
    claims = list(
        batch.claims.select_related("institution", "filing", "scheme").order_by(
            "institution_id", "id"
        )
    )
    wb = Workbook()
    totals = wb.active
    totals.title = _("机构汇总")
    header = [
        _("机构"),
        _("统一社会信用代码"),
        _("备案编号"),
        _("申请数"),
        _("金额（元）"),
        _("市级承担（元）"),
        _("县级承担（元）"),
    ]
    _append(totals, header)
    zero = Decimal("0.00")
    per_institution: dict[int, list] = defaultdict(lambda: ["", "", "", 0, zero, zero, zero])
    for claim in claims:
        row = per_institution[claim.institution_id]
        row[0], row[1], row[2] = (
            claim.institution.name,
            claim.institution.credit_code,
            claim.filing.filing_number,
        )
        row[3] += 1
        row[4] += claim.amount
        city, county = _shares(claim)
        row[5] += city
        row[6] += county
    for row in per_institution.values():
        _append(totals, [*row[:4], *(float(v) for v in row[4:])])
    grand = [sum((v[i] for v in per_institution.values()), zero) for i in (4, 5, 6)]
    _append(totals, [_("合计"), "", "", len(claims), *(float(v) for v in grand)])
    totals.cell(row=totals.max_row, column=1).font = Font(bold=True)

    lines = wb.create_sheet(_("明细"))
    _append(
        lines,
        [
            _("申请编号"),
            _("机构"),
            _("补贴类型"),
            _("月份"),
            _("项目"),
            _("数量"),
            _("标准（元）"),
            _("金额（元）"),
            _("市级承担（元）"),
            _("县级承担（元）"),
        ],
    )
    for claim in claims:
        for item in claim.breakdown:
            city, county = split_line(Decimal(item["amount"]), _share(claim))
            _append(
                lines,
                [
                    claim.pk,
                    claim.institution.name,
                    claim.get_kind_display(),
                    item["month"],
                    item["description"],
                    item["units"],
                    float(Decimal(item["unit_amount"])),
                    float(Decimal(item["amount"])),
                    float(city),
                    float(county),
                ],
            )
    for sheet, columns in ((totals, "EFG"), (lines, "GHIJ")):
        sheet.cell(row=1, column=1).font = Font(bold=True)
        for column in columns:
            for cell in sheet[column][1:]:
                cell.number_format = MONEY_FORMAT
    info = wb.create_sheet(_("批次"))
    _append(info, [_("批次"), batch.pk])
    _append(info, [_("区划"), batch.region_id])
    _append(info, [_("状态"), batch.get_status_display()])
    _append(info, [_("支付凭证号"), batch.payment_ref])
    _append(info, [_("生成时间"), format_month(batch.created_at.date())])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
