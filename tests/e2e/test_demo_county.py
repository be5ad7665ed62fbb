"""The first run shows a living county: the queues, the inbox, the dashboards and the
public register of the seeded demo, as each demo user sees them. Screenshots: docs/screens/demo-*.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, serious_violations, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# (screenshot, user or None for the public, path, viewport)
PAGES: list[tuple[str, str | None, str, dict[str, int]]] = [
    ("demo-registrar-queue", "scjg", "/registrar/", DESKTOP),
    ("demo-registrar-queue-xiangfen", "scjg2", "/registrar/", DESKTOP),
    ("demo-health-filings-queue", "health", "/review/filings/", DESKTOP),
    ("demo-health-inbox", "health", "/registry/health-inbox/", DESKTOP),
    ("demo-health-inbox-xiangfen", "health2", "/registry/health-inbox/", DESKTOP),
    ("demo-dashboard-county", "health", "/dashboard/?region=371103&year=2026", DESKTOP),
    ("demo-dashboard-province", "province", "/dashboard/?region=370000&year=2026", DESKTOP),
    ("demo-operator-home", "operator", "/operator/", DESKTOP),
    ("demo-notifications", "operator", "/notifications/", DESKTOP),
    ("demo-public-register", None, "/public/?region=371103", DESKTOP),
    ("demo-public-register-phone", None, "/public/?region=141023", PHONE),
    ("demo-dashboard-county-phone", "health2", "/dashboard/?region=141023&year=2026", PHONE),
    ("demo-health-inbox-phone", "health", "/registry/health-inbox/", PHONE),
]


def test_the_demo_counties_fill_every_queue_dashboard_and_the_register(
    portal: str, browser: Any
) -> None:
    pages: dict[tuple[str | None, int], Any] = {}
    for name, user, path, viewport in PAGES:
        key = (user, viewport["width"])
        if key not in pages:
            context = browser.new_context(
                viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE
            )
            context.set_default_timeout(10_000)
            pages[key] = context.new_page()
            if user is not None:
                sign_in(pages[key], portal, user)
        page = pages[key]
        page.goto(portal + path)
        page.wait_for_load_state("networkidle")
        shot(page, name)
        assert serious_violations(page) == [], name
    health = pages[("health", DESKTOP["width"])]
    health.goto(portal + "/registry/health-inbox/")
    assert health.locator("tbody tr").count() >= 30
    assert health.get_by_text("未备案").count() >= 2  # registered, not filed, overdue
    health.goto(portal + "/dashboard/?region=371103&year=2026")
    facts = health.locator("dl.facts").inner_text()
    assert "（估算）" in facts
    assert "第七次全国人口普查" in health.locator("#population-source").inner_text()
    province = pages[("province", DESKTOP["width"])]
    province.goto(portal + "/dashboard/?region=370000&year=2026")
    assert "101527453" in province.locator("dl.facts").inner_text()  # its own census figure
    public = pages[(None, DESKTOP["width"])]
    public.goto(portal + "/public/?region=371103")
    assert public.get_by_text("已备案").count() >= 15
    for page in pages.values():
        page.context.close()
