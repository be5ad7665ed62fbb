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
    admin.locator("#id_filing").select_option(str(filing.pk))
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
