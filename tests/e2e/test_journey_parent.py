"""Journey 3: a parent on a phone searches by a 2-character name fragment, opens the facility
page, opens (scans) the verification link, files a complaint by keyboard and tracks it.

Every public page is also checked with axe-core and photographed at desktop size.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import serious_violations, shot

pytestmark = pytest.mark.django_db(transaction=True)

FACILITY = "岚山区阳光全日制托育有限公司"


def _desktop_too(desktop: Any, url: str, name: str) -> None:
    desktop.goto(url)
    shot(desktop, f"{name}-desktop")
    assert serious_violations(desktop) == []


def test_it_lets_a_parent_find_verify_and_complain_about_a_facility(
    portal: str, phone: Any, desktop: Any
) -> None:
    from inspections.models import Complaint

    page = phone
    page.goto(f"{portal}/public/")
    assert page.locator("h1").inner_text() == "托育机构公开查询"
    assert serious_violations(page) == []
    page.get_by_label("机构名称").fill("阳光")  # two characters of the name
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    card = page.locator(".card", has_text=FACILITY)
    assert card.is_visible()
    assert "已备案" in card.inner_text()
    assert "托位" in card.inner_text()
    shot(page, "40-public-search-phone")
    assert serious_violations(page) == []
    _desktop_too(desktop, page.url, "40-public-search")

    card.get_by_role("link", name=FACILITY).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == FACILITY
    facts = page.locator("dl.facts").inner_text()
    assert "备案编号" in facts and "备案日期" in facts
    # The inspection results are public: the demo visit and its findings with deadlines.
    assert "检查记录" in page.locator("main").inner_text()
    assert "整改期限" in page.locator("main").inner_text()
    no_overflow = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_overflow, "the facility page scrolls sideways on a phone"
    shot(page, "41-public-facility-phone")
    assert serious_violations(page) == []
    _desktop_too(desktop, page.url, "41-public-facility")

    # The QR code on the receipt points at the verification page.
    page.get_by_role("link", name="核验备案回执").click()
    page.wait_for_load_state("networkidle")
    assert "真实有效" in page.get_by_role("status").inner_text()
    assert FACILITY in page.locator("dl.facts").inner_text()
    shot(page, "42-public-verify-phone")
    assert serious_violations(page) == []
    _desktop_too(desktop, page.url, "42-public-verify")
    page.go_back()

    page.get_by_role("link", name="投诉举报该机构").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "投诉举报托育机构"
    facility_field = page.get_by_label("机构备案编号")
    filing_number = facility_field.input_value()
    assert filing_number  # carried over from the facility page
    assert serious_violations(page) == []
    _desktop_too(desktop, page.url, "43-public-complaint-form")

    # Keyboard only: an empty complaint first, to see the error next to its field.
    facility_field.focus()
    page.keyboard.press("Tab")  # 投诉内容
    page.keyboard.press("Tab")  # 联系方式
    page.keyboard.press("Tab")  # 提交
    assert page.evaluate("document.activeElement.textContent.trim()") == "提交"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    content = page.get_by_label("投诉内容")
    error = page.locator(".field", has=content).get_by_role("alert")
    assert "必填" in error.inner_text()
    shot(page, "43-public-complaint-error-phone")
    assert serious_violations(page) == []

    content.focus()
    page.keyboard.type("午睡时间没有保育人员看护，孩子从床上摔下来了。")
    page.keyboard.press("Tab")
    page.keyboard.type("138****0000 张女士")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "投诉办理进度", page.locator("main").inner_text()
    complaint = Complaint.objects.filter(content__startswith="午睡时间").get()
    assert complaint.tracking_code in page.locator("main").inner_text()
    assert "已受理" in page.locator("main .status").inner_text()
    assert complaint.due_on.isoformat() in page.locator("dl.facts").inner_text()  # the deadline
    assert "张女士" not in page.locator("main").inner_text()  # never shown back
    shot(page, "44-public-complaint-tracking-phone")
    assert serious_violations(page) == []

    # Days later the parent opens the tracking link again (the code is case-insensitive).
    page.goto(f"{portal}/public/complaints/{complaint.tracking_code.lower()}/")
    assert "尚未办结" in page.locator("dl.facts").inner_text()
    _desktop_too(desktop, page.url, "44-public-complaint-tracking")
