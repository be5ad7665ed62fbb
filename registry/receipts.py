"""The 备案回执 and the 基本条件告知书 as PDF (25号 §9).

reportlab's built-in CID font STSong-Light renders Chinese with no system font and no system
package; the QR code is drawn module by module from segno's matrix, so Pillow is not needed
either. Rendering happens on request from stored facts, never inside a workflow transaction.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from registry import materials, standards
from registry.models import CareMode, Filing
from tuoyu_portal.regions import rules

FONT = "STSong-Light"
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm

# Official documents are issued in Chinese whatever language the requester browses in: the
# receipt is a legal record, and the English catalogue only serves the web pages.
OFFICIAL_LANGUAGE = "zh-hans"


def verify_url(filing_number: str) -> str:
    return f"{settings.SITE_URL}/verify/{filing_number}/"


def bureau_name(filing: Filing) -> str:
    """The issuing office as the region names it (rule health_office_name), from the issued
    snapshot once the receipt exists."""
    if filing.issued_rules.get("bureau"):
        return str(filing.issued_rules["bureau"])
    return rules.health_office_name(filing.region_id)


@translation.override(OFFICIAL_LANGUAGE)
def issue_snapshot(filing: Filing, on: date) -> dict[str, Any]:
    """What the receipt and the 基本条件告知书 say about rules, as in force on the day of issue."""
    return {
        "on": on.isoformat(),
        "bureau": rules.health_office_name(filing.region_id, on),
        "standards": standards.rule_table(filing.region_id, on),
        "min_lease_years": rules.value_for("min_lease_years", filing.region_id, on),
        "conformity_working_days": rules.value_for("conformity_working_days", filing.region_id, on),
        "materials": [
            {"label": str(m.label), "issuer": str(m.issuer)}
            for m in materials.required_materials(filing.meals, filing.region_id, on)
        ],
        "notice_items": _notice_items(filing.region_id, on),
    }


def _notice_items(region_code: str, on: date) -> list[dict[str, str]]:
    """The region's own conditions for the 告知书, each with the document it comes from."""
    row = rules.resolved("notice_items", region_code, on)
    if row is None:
        return []
    return [{"text": str(text), "basis": row.basis} for text in row.value]


def _snapshot(filing: Filing, on: date | None) -> dict[str, Any]:
    """The issued values when the documents were issued; before that, those in force `on`."""
    if filing.issued_rules:
        return filing.issued_rules
    return issue_snapshot(filing, on or timezone.localdate())


def _modes(filing: Filing) -> str:
    labels = dict(CareMode.choices)
    return "、".join(str(labels.get(m, m)) for m in filing.care_modes) or "—"


def _date(value: date | None) -> str:
    return value.strftime("%Y年%m月%d日") if value else "—"


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as filled squares (quiet zone included in `size`)."""
    qr = segno.make(data, error="m")
    matrix = [list(row) for row in qr.matrix]
    count = len(matrix) + 8  # 4-module quiet zone each side
    module = size / count
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + (col_index + 4) * module,
                    y + size - (row_index + 5) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )


NO_LINE_START = "，。、；：？！）》」』”’%"


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break Chinese text by width (no spaces to break on)."""
    lines: list[str] = []
    current = ""
    for char in text:
        # Closing punctuation never starts a line (禁则): let it overhang instead.
        if char in NO_LINE_START and current:
            current += char
            continue
        if pdfmetrics.stringWidth(current + char, FONT, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def _paragraph(canvas: Canvas, text: str, y: float, size: float = 11, leading: float = 18) -> float:
    canvas.setFont(FONT, size)
    for line in _wrap(text, PAGE_WIDTH - 2 * MARGIN, size):
        canvas.drawString(MARGIN, y, line)
        y -= leading
    return y


@translation.override(OFFICIAL_LANGUAGE)
def render_receipt(filing: Filing) -> bytes:
    """The 备案回执: number, institution, credit code, places and modes, dates, bureau, the
    statement that filing is not a licence, and a QR code to /verify/<filing_number>/."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(_("托育机构备案回执 %(number)s") % {"number": filing.filing_number})
    canvas.setFont(FONT, 20)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 30 * mm, _("托育机构备案回执"))
    canvas.setFont(FONT, 12)
    canvas.drawCentredString(
        PAGE_WIDTH / 2,
        PAGE_HEIGHT - 40 * mm,
        _("备案编号：%(number)s") % {"number": filing.filing_number},
    )
    rows = [
        (_("机构名称"), filing.institution.name),
        (_("统一社会信用代码"), filing.registration.credit_code or "—"),
        (_("机构地址"), filing.registration.address or filing.institution.address or "—"),
        (_("托育服务方式"), _modes(filing)),
        (_("备案托位数"), str(filing.places or 0)),
        (
            _("收到材料日期"),
            _date(timezone.localtime(filing.received_at).date() if filing.received_at else None),
        ),
        (_("备案日期"), _date(filing.filed_on)),
        (_("备案机关"), bureau_name(filing)),
    ]
    y = PAGE_HEIGHT - 58 * mm
    for label, value in rows:
        canvas.setFont(FONT, 12)
        canvas.drawString(MARGIN, y, f"{label}：")
        lines = _wrap(str(value), PAGE_WIDTH - 2 * MARGIN - 40 * mm, 12)
        for line in lines or ["—"]:
            canvas.drawString(MARGIN + 40 * mm, y, line)
            y -= 18
        y -= 4
    y -= 8
    y = _paragraph(
        canvas,
        _(
            "%(name)s：你单位报送的托育机构备案材料已收到，经核对材料齐全，予以备案。"
            "备案是对举办者报送材料的确认，不是行政许可，不代表对机构服务质量的认可。"
            "请严格遵守《托育机构设置标准（试行）》和《托育机构管理规范（试行）》，接受卫生健康部门的监督管理；"
            "备案事项发生变更的，应当及时办理变更备案。"
        )
        % {"name": filing.institution.name},
        y,
    )
    qr_size = 40 * mm
    _draw_qr(
        canvas, verify_url(filing.filing_number), PAGE_WIDTH - MARGIN - qr_size, 40 * mm, qr_size
    )
    canvas.setFont(FONT, 9)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, 36 * mm, _("扫码核验回执真伪"))
    canvas.drawRightString(PAGE_WIDTH - MARGIN, 31 * mm, verify_url(filing.filing_number))
    canvas.setFont(FONT, 12)
    canvas.drawString(MARGIN, 60 * mm, bureau_name(filing))
    canvas.drawString(MARGIN, 52 * mm, _date(filing.filed_on))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@translation.override(OFFICIAL_LANGUAGE)
def render_conditions_notice(filing: Filing, *, on: date | None = None) -> bytes:
    """The 基本条件告知书: every standard in force for the filing's county on the day of issue
    (the stored snapshot), or on `on` while no receipt has been issued."""
    snapshot = _snapshot(filing, on)
    issued_on = date.fromisoformat(snapshot["on"])
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(_("托育机构基本条件告知书"))
    canvas.setFont(FONT, 20)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 30 * mm, _("托育机构基本条件告知书"))
    y = PAGE_HEIGHT - 45 * mm
    y = _paragraph(
        canvas,
        _(
            "%(name)s：根据《托育机构设置标准（试行）》《托育机构管理规范（试行）》及本地规定，"
            "托育机构应当符合下列基本条件（数值为%(date)s起在本地区执行的标准）："
        )
        % {"name": filing.institution.name, "date": _date(issued_on)},
        y,
    )
    y -= 6
    marks = {"N": _("国家标准"), "L": _("地方规定"), "?": _("暂定，待核实")}
    for index, row in enumerate(snapshot["standards"], start=1):
        if y < 40 * mm:
            canvas.showPage()
            y = PAGE_HEIGHT - 25 * mm
        y = _paragraph(
            canvas,
            f"{index}. {row['label']}：{row['value']}（{marks.get(row['mark'], row['mark'])}）",
            y,
            size=11,
            leading=17,
        )
    y -= 10
    if y < 50 * mm:
        canvas.showPage()
        y = PAGE_HEIGHT - 25 * mm
    y = _paragraph(
        canvas,
        _(
            "婴幼儿用房不得设在地下室或半地下室；租赁场地租期不少于%(years)s年；"
            "自行加工膳食的须取得食品经营许可证。不符合上述条件的，卫生健康部门将在收到备案材料之日起"
            "%(days)s个工作日内告知并说明理由，并向社会公开。"
        )
        % {
            "years": snapshot["min_lease_years"],
            "days": snapshot["conformity_working_days"],
        },
        y,
    )
    y = _notice_lists(canvas, snapshot, y)
    canvas.setFont(FONT, 12)
    canvas.drawString(MARGIN, max(y - 20, 25 * mm), snapshot["bureau"])
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _notice_lists(canvas: Canvas, snapshot: dict[str, Any], y: float) -> float:
    """The region's own conditions and the materials to file, as issued (older snapshots have
    neither: nothing is added to them)."""
    sections: list[tuple[str, list[str]]] = [
        (
            _("本地区另行规定的基本条件："),
            [f"{item['text']}（{item['basis']}）" for item in snapshot.get("notice_items", [])],
        ),
        (
            _("备案应当提交的材料："),
            [f"{item['label']}（{item['issuer']}）" for item in snapshot.get("materials", [])],
        ),
    ]
    for heading, lines in sections:
        if not lines:
            continue
        y -= 8
        if y < 50 * mm:
            canvas.showPage()
            y = PAGE_HEIGHT - 25 * mm
        y = _paragraph(canvas, heading, y)
        for index, line in enumerate(lines, start=1):
            if y < 40 * mm:
                canvas.showPage()
                y = PAGE_HEIGHT - 25 * mm
            y = _paragraph(canvas, f"{index}. {line}", y, size=11, leading=17)
    return y
