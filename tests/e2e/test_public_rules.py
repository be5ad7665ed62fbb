"""The public rules page in a browser: readable at desktop and phone width, no serious a11y issue."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import serious_violations, shot


def test_the_public_rules_page_reads_on_desktop_and_phone(
    live_server: Any, desktop: Any, phone: Any
) -> None:
    url = f"{live_server.url}/public/rules/371103/"
    for page, name in ((desktop, "public-rules"), (phone, "public-rules-390")):
        page.goto(url)
        assert page.locator("h1").inner_text() == "山东省日照市岚山区现行托育规则"
        local = page.locator("tr.local").first
        assert "岚政办字〔2024〕5号" in local.inner_text()
        assert "xzsp" not in page.content()
        shot(page, name)
        assert serious_violations(page) == []
