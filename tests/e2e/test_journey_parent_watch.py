"""Journey: a parent on a phone confirms attendance from the link, finds a facility
with free places and watches it. Screenshots: docs/screens/parent-*.png."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.e2e.conftest import serious_violations, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _claim_with_parent_link(operator: Any, filing: Any) -> tuple[int, str]:
    """The institution claims the fee subsidy for a child; returns the link the parent gets."""
    from subsidies import tasks
    from subsidies.models import Scheme, SchemeKind
    from subsidies.senders import MemorySender
    from subsidies.services.claims import LineInput, create_claim, submit_claim
    from tests.factories import child_id_number
    from tuoyu_portal.regions.models import RegionRule

    RegionRule.objects.update_or_create(
        key="family_fee_parent_confirmation",
        region_id="371103",
        effective_from=date(2020, 1, 1),
        defaults={"value": True},
    )
    months = (date(2026, 6, 1), date(2026, 7, 1))
    scheme = Scheme.objects.in_force("371103", SchemeKind.FAMILY_FEE, months[0]).get()
    claim = create_claim(
        filing,
        actor=operator,
        scheme=scheme,
        period_start=months[0],
        period_end=months[-1],
        lines=[
            LineInput(
                child_name="李小雨",
                child_id_number=child_id_number(date(2025, 3, 3), 451),
                birth_order=2,
                months=months,
                parent_contact="13900001111",
            )
        ],
    )
    submit_claim(claim, actor=operator)
    MemorySender.outbox.clear()
    tasks.send_attendance_links(claim.pk)  # what the worker does after commit
    link = re.search(r"https?://\S+/public/attendance/[^/\s]+/", MemorySender.outbox[-1].body)[0]
    return claim.pk, link


def test_a_parent_confirms_attendance_finds_free_places_and_watches(
    portal: str, phone: Any, desktop: Any, settings: Any
) -> None:
    from django.core import mail

    from registry import tasks as registry_tasks
    from registry.models import Filing, FilingStatus, Watch
    from registry.services.vacancies import publish_vacancies
    from tuoyu_portal.accounts.models import User

    settings.SITE_URL = portal
    settings.PARENT_MESSAGE_BACKEND = "subsidies.senders.MemorySender"
    operator = User.objects.get(username="operator")
    filing = Filing.objects.filter(
        status=FilingStatus.FILED, inclusive=True, institution__memberships__user=operator
    ).first()
    assert filing is not None and filing.classes.exists()
    name = filing.institution.name
    claim_id, link = _claim_with_parent_link(operator, filing)

    # 1. The parent opens the SMS link on a phone and confirms.
    page = phone
    page.goto(link)
    assert page.locator("h1").inner_text() == "确认孩子在托情况"
    body = page.locator("main").inner_text()
    assert name in body and "李*雨" in body and "2026-06" in body and "李小雨" not in body
    assert serious_violations(page) == []
    shot(page, "parent-1-attendance-phone")
    page.get_by_label("属实，孩子在这些月份确实在托").check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "已收到您的确认"
    shot(page, "parent-2-attendance-done-phone")
    page.goto(link)  # the link is spent
    assert page.locator("h1").inner_text() == "链接无效"

    # The subsidy officer sees the parent's answer on the claim.
    sign_in(desktop, portal, "subsidy")
    desktop.goto(f"{portal}/subsidies/claims/{claim_id}/")
    assert "家长已确认" in desktop.locator("main").inner_text()
    shot(desktop, "parent-2-officer-claim-desktop")
    desktop.context.clear_cookies()

    # 2. The institution has published free places; the parent filters for them.
    first_type = filing.classes.first().class_type
    publish_vacancies(
        filing, actor=operator, vacancies=[{"class_type": first_type, "free_places": 2}]
    )
    page.goto(f"{portal}/public/")
    page.get_by_label("只看有空余托位的机构").check()
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    card = page.locator(".card", has_text=name)
    assert card.is_visible() and "空余托位 2 个" in card.inner_text()
    cards = page.locator(".card")
    assert all("空余托位" in cards.nth(i).inner_text() for i in range(cards.count()))
    shot(page, "parent-3-free-places-phone")
    assert serious_violations(page) == []
    desktop.goto(page.url)
    shot(desktop, "parent-3-free-places-desktop")

    # 3. The facility page shows the figures with their date; the parent watches it.
    card.get_by_role("link", name=name).click()
    page.wait_for_load_state("networkidle")
    main = page.locator("main").inner_text()
    assert "共有空余托位 2 个" in main and "更新" in main
    page.get_by_label("电子邮箱").fill("parent@example.cn")
    no_overflow = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_overflow, "the facility page scrolls sideways on a phone"
    shot(page, "parent-4-facility-watch-phone")
    assert serious_violations(page) == []
    page.get_by_role("button", name="关注", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "请查收确认邮件"
    watch = Watch.objects.get(filing=filing)
    assert watch.confirmed_at is None
    mail.outbox.clear()
    registry_tasks.send_watch_confirmation(watch.pk)  # what the worker does after commit
    confirm = re.search(r"https?://\S+/public/watches/confirm/\S+/", mail.outbox[-1].body)[0]

    # 4. The confirmation link from the e-mail: double opt-in.
    page.goto(confirm)
    assert page.locator("h1").inner_text() == "确认关注"
    page.get_by_role("button", name="确认关注").click()
    page.wait_for_load_state("networkidle")
    assert "已确认关注" in page.locator("main").inner_text()
    shot(page, "parent-5-watch-confirmed-phone")
    watch.refresh_from_db()
    assert watch.confirmed_at is not None

    # The operator's page behind the figures: free places beside the fee and the 普惠 price.
    for device, suffix in ((desktop, "desktop"), (page, "phone")):
        device.context.clear_cookies()
        sign_in(device, portal, "operator")
        device.goto(f"{portal}/filings/{filing.pk}/vacancies/")
        assert device.locator("h1").inner_text() == "空余托位"
        assert "月收费" in device.locator("main").inner_text()
        shot(device, f"parent-6-operator-vacancies-{suffix}")
        assert serious_violations(device) == []
