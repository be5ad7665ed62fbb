"""Journey 5: an operator submits a family-fee claim (家庭托育费补贴), the subsidy officer approves
it and exports the payment batch."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest

from tests.e2e.conftest import serious_violations, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FACILITY = "岚山区阳光全日制托育有限公司"
CHILD = "演示幼儿丙"


def test_it_takes_a_family_fee_claim_from_the_operator_to_a_payment_batch(
    portal: str, browser: Any, desktop: Any
) -> None:
    from openpyxl import load_workbook

    from registry.demo.filings import demo_pdf
    from registry.models import Filing
    from subsidies.demo import _demo_child_id

    filing = Filing.objects.public().get(institution__name=FACILITY)
    page = desktop
    sign_in(page, portal, "operator")
    page.goto(f"{portal}/subsidies/claims/")
    shot(page, "60-operator-claims")
    page.goto(f"{portal}/subsidies/claims/new/family_fee/")
    assert page.locator("h1").inner_text() == "申请保育费补助"
    assert serious_violations(page) == []
    page.get_by_label("备案机构").select_option(str(filing.pk))
    scheme = page.get_by_label("补贴标准")
    scheme.select_option(
        index=1 if scheme.locator("option").first.get_attribute("value") == "" else 0
    )
    page.get_by_label("起始月份").fill("2026-06")
    page.get_by_label("截止月份").fill("2026-08")
    page.locator("#id_child-0-child_name").fill(CHILD)
    page.locator("#id_child-0-child_id_number").fill(_demo_child_id(date(2024, 10, 1), 903))
    page.locator("#id_child-0-birth_order").fill("2")
    page.locator("#id_child-0-months").fill("2026-06 2026-07 2026-08")
    shot(page, "61-claim-form")
    page.get_by_role("button", name="保存草稿并计算金额").click()
    page.wait_for_load_state("networkidle")
    assert "补贴申请草稿已保存" in page.locator(".messages").inner_text(), page.locator(
        "main"
    ).inner_text()
    facts = page.locator("dl.facts").inner_text()
    assert "草稿" in facts
    amount = page.locator("dl.facts dd").nth(4).inner_text()
    assert amount and amount != "0" and amount != "0.00"
    assert "合计" in page.locator("main").inner_text()
    page.get_by_label("证明材料（PDF、JPEG、PNG）").set_input_files(
        {"name": "在托证明.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("在托证明")}
    )
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state("networkidle")
    assert "材料已上传" in page.locator(".messages").inner_text()
    shot(page, "62-claim-draft-with-amount")
    assert serious_violations(page) == []
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("networkidle")
    assert "补贴申请已提交" in page.locator(".messages").inner_text()
    assert "已提交" in page.locator("dl.facts .status").inner_text()
    claim_url = page.url
    shot(page, "63-claim-submitted")

    officer_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    officer_context.set_default_timeout(10_000)
    officer = officer_context.new_page()
    sign_in(officer, portal, "subsidy")
    officer.goto(f"{portal}/subsidies/queue/")
    claim_id = claim_url.rstrip("/").rsplit("/", 1)[-1]
    row = officer.locator("tr", has_text=f"#{claim_id}")
    assert FACILITY in row.inner_text()
    assert amount in row.inner_text()
    shot(officer, "64-officer-queue")
    assert serious_violations(officer) == []
    row.get_by_role("link", name=f"#{claim_id}").click()
    officer.wait_for_load_state("networkidle")
    officer.get_by_label("审核决定").select_option("approve")
    shot(officer, "65-officer-decision")
    officer.get_by_role("button", name="保存审核决定").click()
    officer.wait_for_load_state("networkidle")
    assert "审核决定已保存" in officer.locator(".messages").inner_text()
    assert officer.locator("tr", has_text=f"#{claim_id}").count() == 0  # left the queue
    officer.goto(claim_url)
    assert "核准" in officer.locator("dl.facts .status").inner_text()
    shot(officer, "66-officer-approved")

    officer.goto(f"{portal}/subsidies/batches/")
    officer.get_by_label(f"选择申请 #{claim_id}").check()
    officer.get_by_role("button", name="生成支付批次").click()
    officer.wait_for_load_state("networkidle")
    assert amount in officer.locator("main").inner_text()
    shot(officer, "67-payment-batch")
    assert serious_violations(officer) == []
    href = officer.get_by_role("link", name="下载 XLSX").get_attribute("href")
    response = officer.context.request.get(portal + href)
    assert response.ok
    workbook = load_workbook(io.BytesIO(response.body()))
    cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert FACILITY in cells
    officer_context.close()
