"""Journey 1: an operator registers an institution, the registrar approves it, the county health
bureau sees it in its inbox of pushed registrations.

The push travels through the outbox; e2e runs no Celery worker, so the test calls the delivery
service itself right after the approval (what the worker would do a moment later).
"""

from __future__ import annotations

from typing import Any

import pytest

from registry.demo.plan import demo_credit_code, demo_id_number
from tests.e2e.conftest import serious_violations, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "岚山区启航全日制托育有限公司"


def test_it_takes_a_registration_from_the_operator_to_the_health_inbox(
    portal: str, browser: Any, desktop: Any
) -> None:
    from tuoyu_portal.exchange.models import OutboxEvent
    from tuoyu_portal.exchange.services import deliver_event

    page = desktop
    sign_in(page, portal, "operator")
    page.goto(f"{portal}/registrations/new/")
    assert page.locator("h1").inner_text() == "新建登记申请"
    # First a submission with mistakes: each error stands next to its field, linked to it.
    page.get_by_label("机构名称").fill(NAME)
    page.get_by_role("button", name="保存").click()
    region = page.get_by_label("所在县区代码")
    assert region.get_attribute("aria-invalid") == "true"
    described = region.get_attribute("aria-describedby") or ""
    error_ids = [i for i in described.split() if "error" in i]
    assert error_ids, described
    assert "必填" in page.locator(f"#{error_ids[0]}").inner_text()
    shot(page, "10-registration-form-errors")
    assert serious_violations(page) == []

    page.get_by_label("法人性质").select_option("for_profit")
    page.get_by_label("全日托").check()
    page.get_by_label("业务范围/经营范围").fill("托育服务；3岁以下婴幼儿照护服务")
    region.fill("371103")
    page.get_by_label("住所/地址").fill("日照市岚山区安东卫街道启航路8号")
    page.get_by_label("法定代表人（负责人）姓名").fill("赵启航")
    page.get_by_label("法定代表人身份证号码").fill(demo_id_number("371103", "19880301", 88))
    page.get_by_label("联系电话").fill("13800008888")
    shot(page, "11-registration-form-filled")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == NAME
    assert "草稿" in page.locator(".status").first.inner_text()
    assert "登记申请已保存为草稿" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.locator("main .status").first.inner_text()
    assert "申请已提交至登记机关" in page.locator(".messages").inner_text()
    shot(page, "12-registration-submitted")

    # The for-profit application goes to the demo's 岚山 registrar for companies (scjg): the demo
    # routes there by a labelled county rule (registry/demo/plan.py configure_demo_routing).
    registrar_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    registrar = registrar_context.new_page()
    sign_in(registrar, portal, "scjg")
    registrar.goto(f"{portal}/registrar/")
    assert registrar.get_by_role("link", name=NAME).is_visible()
    shot(registrar, "13-registrar-queue")
    assert serious_violations(registrar) == []
    registrar.get_by_role("link", name=NAME).click()
    registrar.wait_for_load_state("networkidle")
    shot(registrar, "14-registrar-decision")
    assert serious_violations(registrar) == []
    code = demo_credit_code("91", "371103", 888)
    approve = registrar.locator("form", has=registrar.get_by_role("group", name="准予登记"))
    approve.get_by_label("统一社会信用代码").fill(code)
    approve.get_by_role("button", name="确认").click()
    registrar.wait_for_load_state("networkidle")
    assert "已办理" in registrar.locator(".messages").inner_text()
    registrar.goto(f"{portal}/registrar/?status=approved")
    registrar.get_by_role("link", name=NAME).click()
    registrar.wait_for_load_state("networkidle")
    assert "已登记" in registrar.locator("main .status").first.inner_text()
    assert code in registrar.locator("dl.facts").inner_text()
    shot(registrar, "15-registration-approved")
    registrar_context.close()

    # What the Celery worker does after commit: deliver the approval to the county inbox.
    event = OutboxEvent.objects.get(event_type="registration.approved", payload__credit_code=code)
    assert deliver_event(event.pk) in ("sent", "skipped")
    event.refresh_from_db()
    assert event.state == "sent"

    health_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    health = health_context.new_page()
    sign_in(health, portal, "health")
    health.goto(f"{portal}/registry/health-inbox/")
    row = health.locator("tr", has_text=NAME)
    assert code in row.inner_text()
    assert "未备案" in row.inner_text()
    shot(health, "16-health-inbox")
    assert serious_violations(health) == []
    health_context.close()

    # Back with the operator: the next step is now the filing.
    page.goto(f"{portal}/operator/")
    assert NAME in page.locator("main").inner_text()
    shot(page, "17-operator-home-after-approval")
