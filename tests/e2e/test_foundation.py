"""The portal's front door in a real browser: public home, sign-in, role home, language switch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import serious_violations, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_sees_the_public_entry_points_on_a_phone(portal: str, phone: Any) -> None:
    phone.goto(portal + "/")
    assert phone.locator("h1").inner_text() == "托育机构登记备案服务平台"
    assert phone.get_by_role("link", name="工作人员与举办者登录").is_visible()
    shot(phone, "00-home-phone")
    assert serious_violations(phone) == []


def test_an_operator_signs_in_and_sees_what_to_do_next(portal: str, desktop: Any) -> None:
    sign_in(desktop, portal, "operator")
    assert "您好" in desktop.locator("h1").inner_text()
    assert "举办者" in desktop.locator(".who").inner_text()
    shot(desktop, "01-operator-home")
    assert serious_violations(desktop) == []


def test_the_login_form_is_usable_by_keyboard_and_accessible(portal: str, desktop: Any) -> None:
    desktop.goto(portal + "/accounts/login/")
    assert serious_violations(desktop) == []
    desktop.keyboard.press("Tab")  # skip link first
    desktop.keyboard.press("Tab")
    focused = desktop.evaluate("document.activeElement.tagName")
    assert focused in ("A", "BUTTON", "INPUT")
    desktop.get_by_label("用户名").focus()
    desktop.keyboard.type("health")
    desktop.keyboard.press("Tab")
    desktop.keyboard.type("tuoyu-demo-2026")
    desktop.keyboard.press("Enter")
    desktop.wait_for_load_state("networkidle")
    assert "卫生健康部门审核人员" in desktop.locator(".who").inner_text()
    shot(desktop, "02-health-home")


def test_pages_switch_to_english_on_request(portal: str, desktop: Any) -> None:
    desktop.goto(portal + "/")
    desktop.get_by_role("button", name="English").click()
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("html").get_attribute("lang") == "en"
