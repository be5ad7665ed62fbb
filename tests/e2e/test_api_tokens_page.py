"""A staff member finds their API tokens in the account menu and revokes one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import serious_violations, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _tokens_for(username: str, count: int) -> None:
    from tuoyu_portal.accounts.models import User
    from tuoyu_portal.accounts.tokens import issue_token

    user = User.objects.get(username=username)
    for n in range(count):
        issue_token(user, client=f"python-requests/2.32 (对接程序 {n + 1})")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_staff_see_and_revoke_their_tokens(portal: str, device: str, request: Any) -> None:
    page = request.getfixturevalue(device)
    _tokens_for("health", 2)
    sign_in(page, portal, "health")
    page.get_by_role("link", name="API 令牌").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "我的 API 令牌"
    assert page.locator("tbody tr").count() == 2
    shot(page, f"40-api-tokens-{device}")
    assert serious_violations(page) == []
    page.get_by_role("button", name="注销").first.click()
    page.wait_for_load_state("networkidle")
    assert "令牌已注销" in page.locator(".messages").inner_text()
    assert page.locator("tbody tr").count() == 1
