"""Journey 2: the operator files with uploads, the readiness check shows what is missing, the
reviewer requests a supplement, the operator completes it, the reviewer accepts, the operator
downloads the receipt.

Precondition (not part of this journey, journey 1 covers it in the browser): the demo's
岚山区小太阳半日制托育中心 registration is approved by 民政局 through the service.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SCREENS, serious_violations, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "岚山区小太阳半日制托育中心"


def _approve_precondition() -> None:
    from registry.demo.plan import demo_credit_code
    from registry.models import Registration
    from registry.services import registrations as services
    from tuoyu_portal.accounts.models import User

    reg = Registration.objects.get(name=NAME)
    services.approve_registration(
        reg,
        actor=User.objects.get(username="minzheng"),
        credit_code=demo_credit_code("52", "371103", 2),
    )


def _pdf(title: str) -> dict[str, Any]:
    from registry.demo.filings import demo_pdf

    return {"name": f"{title}.pdf", "mimeType": "application/pdf", "buffer": demo_pdf(title)}


def tab_to(page: Any, element_id: str, limit: int = 30) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _step in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def upload(page: Any, kind: str, title: str) -> None:
    page.get_by_label("材料类型").select_option(kind)
    page.get_by_label("文件（PDF、JPEG 或 PNG，不超过 20 MB）").set_input_files(_pdf(title))
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state("networkidle")
    assert "材料已上传" in page.locator(".messages").inner_text()


def test_it_files_with_a_supplement_round_and_issues_a_receipt(
    portal: str, browser: Any, desktop: Any
) -> None:
    from django.utils import timezone

    _approve_precondition()
    page = desktop
    sign_in(page, portal, "operator")
    page.goto(f"{portal}/filings/start/")
    select = page.get_by_label("选择已登记的机构")
    value = select.locator("option", has_text=NAME).get_attribute("value")
    select.select_option(value)
    page.get_by_role("button", name="开始备案").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "填写备案书"
    assert "已创建备案草稿" in page.locator(".messages").inner_text()
    assert "草稿" in page.locator("main .lead .status").inner_text()
    assert serious_violations(page) == []
    shot(page, "20-filing-wizard-empty")

    # Section 1 by keyboard only: Tab, typing, Space on the care-mode boxes, Enter to save.
    page.locator("#id_person_in_charge_name").focus()
    page.keyboard.type("孙园长")
    page.keyboard.press("Tab")
    page.keyboard.type("11010519491231002X")
    tab_to(page, "id_care_modes_1")  # 半日托 (already copied from the registration)
    assert page.locator("#id_care_modes_1").is_checked()
    tab_to(page, "id_care_modes_2")  # 计时托: Space toggles it off and on again
    page.keyboard.press("Space")
    assert not page.locator("#id_care_modes_2").is_checked()
    page.keyboard.press("Space")
    assert page.locator("#id_care_modes_2").is_checked()
    tab_to(page, "id_places")
    page.keyboard.type("35")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form: 保存草稿 is its first button
    assert "草稿已保存" in page.locator(".messages").inner_text()
    assert page.locator("#id_person_in_charge_name").input_value() == "孙园长"
    assert page.locator("#id_places").input_value() == "35"

    # The other sections and the classes.
    page.locator("#id_classes-0-class_type").select_option("young_toddler")
    page.locator("#id_classes-0-children").fill("15")
    page.locator("#id_classes-0-carers").fill("3")
    page.locator("#id_classes-1-class_type").select_option("older_toddler")
    page.locator("#id_classes-1-children").fill("20")
    page.locator("#id_classes-1-carers").fill("3")
    for field, value in {
        "保育人员": "6",
        "保健人员": "1",
        "保安人员": "1",
        "炊事人员": "1",
        "管理人员": "2",
        "建筑面积（㎡）": "480",
        "室内活动面积（㎡）": "140",
        "室外活动面积（㎡）": "105",
        "幼儿用房最高楼层": "1",
        "月收费（元）": "1600",
    }.items():
        page.get_by_label(field, exact=True).fill(value)
    page.get_by_label("场地性质").select_option("leased")
    lease_end = timezone.localdate() + timedelta(days=365 * 5)
    page.get_by_label("租赁到期日").fill(lease_end.isoformat())
    page.get_by_label("膳食").select_option("on_site")
    page.get_by_label("普惠性托育").check()
    page.locator("#id_commitment_accepted").check()
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("networkidle")
    assert "草稿已保存" in page.locator(".messages").inner_text()
    assert serious_violations(page) == []
    shot(page, "21-filing-wizard-filled")

    # Uploads: everything but the fire-safety certificate.
    for kind, title in [
        ("license", "法人登记证书"),
        ("site_proof", "租赁合同"),
        ("staff_credentials", "人员资格与健康证明"),
        ("health_evaluation", "卫生评价报告"),
        ("food_license", "食品经营许可证"),
    ]:
        upload(page, kind, title)
    assert page.locator("#materials").get_by_text("租赁合同.pdf").count() >= 1
    shot(page, "22-filing-materials")

    page.get_by_role("link", name="检查并提交").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "提交前检查"
    missing = page.locator("li.error", has_text="消防安全检查合格证明")
    assert missing.is_visible()
    assert "消防救援机构" in missing.inner_text()  # who issues it
    assert serious_violations(page) == []
    shot(page, "23-filing-readiness-missing")

    page.get_by_role("link", name="返回修改").click()
    upload(page, "fire_safety", "消防安全检查合格证明")
    page.get_by_role("link", name="检查并提交").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("li.error").count() == 0
    shot(page, "24-filing-readiness-ready")
    page.get_by_role("button", name="提交备案").click()
    page.wait_for_load_state("networkidle")
    assert "5个工作日内办理" in page.locator(".messages").inner_text()
    assert "已提交" in page.locator("main .lead .status").inner_text()
    clocks = page.locator("main").inner_text()
    assert "5" in clocks
    shot(page, "25-filing-submitted-clocks")

    # The county reviewer: queue with the clock, then a one-shot supplement request.
    reviewer_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    reviewer_context.set_default_timeout(10_000)
    reviewer = reviewer_context.new_page()
    sign_in(reviewer, portal, "health")
    reviewer.goto(f"{portal}/review/filings/")
    assert reviewer.get_by_role("link", name=NAME).first.is_visible()
    shot(reviewer, "26-reviewer-queue")
    assert serious_violations(reviewer) == []
    reviewer.get_by_role("link", name=NAME).first.click()
    reviewer.wait_for_load_state("networkidle")
    reviewer.get_by_label("托幼机构卫生评价报告（结论为合格）", exact=True).check()
    reviewer.get_by_label("托幼机构卫生评价报告（结论为合格）：补正说明").fill(
        "报告结论页缺少检测机构盖章，请上传盖章页。"
    )
    shot(reviewer, "27-reviewer-supplement-form")
    reviewer.get_by_role("button", name="发出补正告知").click()
    reviewer.wait_for_load_state("networkidle")
    assert "已一次性告知" in reviewer.locator(".messages").inner_text()
    assert "补正" in reviewer.locator("main .lead .status, main .status").first.inner_text()

    # The operator sees the request, uploads the stamped page and submits again.
    page.reload()
    assert "缺少检测机构盖章" in page.locator("main").inner_text()
    shot(page, "28-operator-sees-supplement")
    page.get_by_role("link", name="继续填写").click()
    page.wait_for_load_state("networkidle")
    assert "缺少检测机构盖章" in page.locator("main").inner_text()
    upload(page, "health_evaluation", "卫生评价报告盖章页")
    page.get_by_role("link", name="检查并提交").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="提交备案").click()
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.locator("main .lead .status").inner_text()

    # The reviewer accepts: filing number and receipt.
    reviewer.reload()
    reviewer.get_by_role("button", name="材料齐全，予以备案并出具回执").click()
    reviewer.wait_for_load_state("networkidle")
    message = reviewer.locator(".messages").inner_text()
    assert "已予备案，备案编号" in message
    shot(reviewer, "29-reviewer-accepted")
    reviewer_context.close()

    page.reload()
    assert "已备案" in page.locator("main .lead .status").inner_text()
    shot(page, "30-operator-filed")
    link = page.get_by_role("link", name="下载备案回执（PDF）")
    response = page.context.request.get(portal + link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    pdf = Path(tempfile.mkdtemp()) / "receipt.pdf"
    pdf.write_bytes(body)
    # The receipt itself, as the operator prints it, for the tour.
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), f"{tmp}/receipt"],
                check=True,
            )
            SCREENS.mkdir(parents=True, exist_ok=True)
            shutil.copy(f"{tmp}/receipt.png", SCREENS / "31-filing-receipt-pdf.png")
