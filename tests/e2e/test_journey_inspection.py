"""Journey 4: an inspector logs a visit with two findings in the admin, the operator submits a
rectification, the inspector verifies it (admin action on the finding)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FACILITY = "岚山区阳光全日制托育有限公司"
FIRST = "午睡室未安排保育人员值守。"
SECOND = "消毒记录缺少本周三的签字。"


def test_it_records_a_visit_then_a_rectification_then_its_verification(
    portal: str, browser: Any, desktop: Any
) -> None:
    from django.utils import timezone

    from inspections.models import Finding
    from registry.models import Filing

    admin = desktop
    sign_in(admin, portal, "inspector")
    admin.goto(f"{portal}/admin/inspections/inspection/add/")
    assert "托育机构登记备案服务平台 · 管理后台" in admin.locator("#site-name").inner_text()
    filing = Filing.objects.public().get(institution__name=FACILITY)
    # The institution is found by typing part of its name, not by picking a bare number.
    admin.locator(".field-filing .select2-selection").click()
    admin.locator(".select2-search__field").fill(FACILITY[3:7])
    admin.locator(".select2-results__option", has_text=FACILITY).click()
    assert admin.locator("#id_filing").input_value() == str(filing.pk)
    admin.locator("#id_kind").select_option("routine")
    admin.locator("#id_visited_on").fill(timezone.localdate().isoformat())
    admin.locator("#id_notes").fill("日常巡查：查看午睡室、消毒记录和监控。")
    # Two findings: the inline has one empty form; 添加另一个 adds the second.
    admin.locator("#id_findings-0-rule").fill("托育机构管理规范（试行）第十九条")
    admin.locator("#id_findings-0-severity").select_option("major")
    admin.locator("#id_findings-0-description").fill(FIRST)
    admin.locator("#findings-group .add-row a").click()
    admin.locator("#id_findings-1-rule").fill("托育机构保育指导大纲（试行）")
    admin.locator("#id_findings-1-severity").select_option("minor")
    admin.locator("#id_findings-1-description").fill(SECOND)
    shot(admin, "50-admin-visit-with-two-findings")
    admin.locator("input[name=_continue]").click()
    admin.wait_for_load_state("networkidle")
    assert admin.locator(".errornote").count() == 0, admin.locator("#content").inner_text()
    assert "成功" in admin.locator(".messagelist").inner_text()
    first = Finding.objects.get(description=FIRST)
    second = Finding.objects.get(description=SECOND)
    assert first.status == second.status == "open"
    assert first.deadline and second.deadline  # blank deadline = the region's rule
    shot(admin, "51-admin-visit-saved")

    # The operator sees both findings with their deadlines and rectifies the first one.
    operator_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    operator_context.set_default_timeout(10_000)
    page = operator_context.new_page()
    sign_in(page, portal, "operator")
    page.goto(f"{portal}/inspections/findings/")
    card = page.locator("section.card", has_text=FIRST)
    assert first.deadline.isoformat() in card.inner_text()
    assert "待整改" in card.locator(".status").inner_text()
    assert page.locator("section.card", has_text=SECOND).count() == 1
    shot(page, "52-operator-findings")
    card.get_by_label("整改说明").fill("已安排两名保育人员轮流值守午睡室，排班表见附件。")
    card.get_by_label("整改照片或PDF（可选）").set_input_files(
        {"name": "排班表.png", "mimeType": "image/png", "buffer": _png()}
    )
    card.get_by_role("button", name="提交整改报告").click()
    page.wait_for_load_state("networkidle")
    assert "整改" in page.locator(".messages").inner_text()
    card = page.locator("section.card", has_text=FIRST)
    assert "已提交整改，待核验" in card.locator(".status").inner_text()
    shot(page, "53-operator-rectification-submitted")

    # The inspector verifies it with the admin action on the finding list.
    # The demo county has other institutions' rectifications waiting too: search this one's.
    admin.goto(
        f"{portal}/admin/inspections/finding/?status__exact=rectification_submitted"
        f"&q={quote(FACILITY)}"
    )
    assert admin.locator("#result_list tbody tr").count() == 1  # only the submitted one
    admin.locator(f'#result_list input.action-select[value="{first.pk}"]').check()
    admin.locator("select[name=action]").select_option("accept_rectification")
    shot(admin, "54-admin-verify-action")
    admin.locator("button[name=index]").click()
    admin.wait_for_load_state("networkidle")
    assert "已处理1条" in admin.locator(".messagelist").inner_text()
    first.refresh_from_db()
    assert first.status == "verified"
    shot(admin, "55-admin-verified")

    page.goto(f"{portal}/inspections/findings/")
    assert page.locator("section.card", has_text=FIRST).count() == 0  # resolved
    assert page.locator("section.card", has_text=SECOND).count() == 1
    shot(page, "56-operator-findings-after-verification")
    operator_context.close()


def _png() -> bytes:
    """A valid 1×1 PNG (signature, IHDR, IDAT, IEND) without an image library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1e\x50\x8c")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_an_inspector_fills_the_checklist_on_a_phone(portal: str, phone: Any) -> None:
    from inspections.models import ChecklistTemplate, Finding, Inspection

    template = ChecklistTemplate.objects.get(code="routine", published=True)
    sign_in(phone, portal, "inspector")
    phone.goto(f"{portal}/admin/inspections/inspection/add/")
    phone.locator(".field-filing .select2-selection").click()
    phone.locator(".select2-search__field").fill(FACILITY[3:7])
    phone.locator(".select2-results__option", has_text=FACILITY).click()
    phone.locator("#id_kind").select_option("routine")
    phone.locator("#id_checklist_template").select_option(str(template.pk))
    phone.locator("#id_visited_on").fill("2026-12-01")
    # No JSON anywhere: each item is a row with its result and a note.
    assert phone.locator("textarea[name=checklist_answers]").count() == 0
    section = phone.locator(f'.checklist-section[data-template="{template.pk}"]')
    assert section.is_visible()
    row = section.locator(".checklist-row", has_text="监控录像保存不少于90日")
    row.get_by_label("不符合").check()
    assert row.locator(".item-finding").is_visible()  # the offer to record it as a finding
    row.get_by_label("记为问题（依据条款已填）").check()
    row.get_by_label("说明").fill("录像仅保存30天")
    section.locator(".checklist-row", has_text="视频监控24小时设防").get_by_label(
        "符合", exact=True
    ).check()
    phone.locator('select[name="observed_classes-0-class_type"]').select_option("young_toddler")
    phone.locator('input[name="observed_classes-0-children"]').fill("12")
    phone.locator('input[name="observed_classes-0-carers"]').fill("3")
    # Nothing wider than the phone's screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    shot(phone, "53-admin-visit-checklist-390")
    phone.locator("input[name=_continue]").click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".errornote").count() == 0, phone.locator("#content").inner_text()
    visit = Inspection.objects.get(visited_on="2026-12-01")
    assert visit.checklist_answers["cctv_retention_90d"]["ok"] is False
    assert Finding.objects.filter(inspection=visit, rule="管理规范 §32").count() == 1
    assert (
        "现场班级规模和保育人员配比符合设置标准"
        in phone.locator(".field-standards_result").inner_text()
    )
    shot(phone, "54-admin-visit-saved-390")
