"""API tokens (api.md 1.1): a new token per sign-in, revocable, expiring,
revoked by a password change; the user's token page; a per-account sign-in limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tuoyu_portal.accounts.models import ApiToken, LoginThrottle, Role, User
from tuoyu_portal.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def _sign_in(username: str, password: str = PASSWORD, address: str = "10.0.0.1") -> Any:
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN, {"username": username, "password": password}, format="json"
    )


def _with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def person(db: None) -> User:
    return factories.UserFactory(username="tokens_op", role=Role.OPERATOR)


def test_each_sign_in_issues_a_new_token_and_the_key_is_not_stored(person: User) -> None:
    first, second = _sign_in(person.username), _sign_in(person.username)
    assert first.status_code == second.status_code == 200
    keys = [first.json()["token"], second.json()["token"]]
    assert keys[0] != keys[1]
    assert all(_with(key).get(ME).status_code == 200 for key in keys)
    stored = set(ApiToken.objects.values_list("key_hash", flat=True))
    assert len(stored) == 2 and not stored & set(keys)


def test_delete_revokes_only_the_caller_s_token(person: User) -> None:
    mine, other = (
        _sign_in(person.username).json()["token"],
        _sign_in(person.username).json()["token"],
    )
    assert _with(mine).delete(TOKEN).status_code == 204
    refused = _with(mine).get(ME)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"] == "令牌无效。"
    assert _with(other).get(ME).status_code == 200
    assert APIClient().delete(TOKEN).status_code == 401  # nothing to revoke anonymously


def test_a_password_change_revokes_every_token_of_that_user(person: User) -> None:
    keys = [_sign_in(person.username).json()["token"] for _ in range(2)]
    bystander = factories.UserFactory(username="tokens_other")
    _token, kept = issue_token(bystander)
    person.set_password("another-horse-battery")
    person.save()
    assert [_with(key).get(ME).status_code for key in keys] == [401, 401]
    assert _with(kept).get(ME).status_code == 200


def test_tokens_expire_after_api_token_ttl(person: User, settings: Any) -> None:
    settings.API_TOKEN_TTL = 600
    before = timezone.now()
    token, key = issue_token(person)
    assert (
        before + timedelta(seconds=599)
        < token.expires_at
        <= timezone.now() + timedelta(seconds=600)
    )
    assert _with(key).get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = _with(key).get(ME)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["message"] == "令牌已过期，请重新登录。"


def test_staff_see_and_revoke_their_own_tokens_on_a_page(registrar: User) -> None:
    mine, _key = issue_token(registrar, client="curl/8.5")
    theirs, _other_key = issue_token(factories.UserFactory(username="someone_else"), client="x")
    browser = Client()
    browser.force_login(registrar)
    page = browser.get("/accounts/tokens/")
    text = page.content.decode()
    assert page.status_code == 200 and "我的 API 令牌" in text and "curl/8.5" in text
    assert f'value="{theirs.pk}"' not in text
    assert 'href="/accounts/tokens/"' in browser.get("/").content.decode()  # account menu
    # Someone else's token cannot be revoked from here.
    refused = browser.post("/accounts/tokens/", {"token": theirs.pk}, follow=True)
    assert "该令牌不存在或已失效" in refused.content.decode()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    done = browser.post("/accounts/tokens/", {"token": mine.pk}, follow=True)
    assert "令牌已注销" in done.content.decode()
    assert not ApiToken.objects.filter(pk=mine.pk).exists()


def test_guesses_spread_over_many_addresses_hold_the_account_for_a_while(
    person: User, settings: Any
) -> None:
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 10
    settings.LOGIN_ACCOUNT_LOCK_SECONDS = 60
    for n in range(10):  # 2 per address: below the per-address (axes) limit of 5
        assert _sign_in(person.username, "guess", f"10.1.{n // 2}.{n}").status_code == 400
    held = _sign_in(person.username, PASSWORD, "10.9.9.9")  # right password, new address
    assert held.status_code == 429
    assert held.json()["errors"][0]["code"] == "account_locked"
    row = LoginThrottle.objects.get(username=person.username)
    until = row.locked_until
    assert until is not None and until - timezone.now() <= timedelta(seconds=60)
    # Attempts during the hold are not counted: nobody can prolong it.
    for n in range(20):
        _sign_in(person.username, "guess", f"10.2.0.{n}")
    assert LoginThrottle.objects.get(username=person.username).locked_until == until
    # The hold ends by itself; the right password then signs in and clears the record.
    LoginThrottle.objects.filter(username=person.username).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert _sign_in(person.username, PASSWORD, "10.9.9.9").status_code == 200
    assert not LoginThrottle.objects.filter(username=person.username).exists()


def test_consecutive_holds_double_up_to_the_cap(person: User, settings: Any) -> None:
    from tuoyu_portal.accounts import throttle

    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 2
    settings.LOGIN_ACCOUNT_LOCK_SECONDS = 60
    settings.LOGIN_ACCOUNT_LOCK_MAX_SECONDS = 200
    lengths = []
    for _round in range(4):
        throttle.record_failure(person.username)
        throttle.record_failure(person.username)
        row = LoginThrottle.objects.get(username=person.username)
        assert row.locked_until is not None
        lengths.append(round((row.locked_until - timezone.now()).total_seconds() / 10) * 10)
        LoginThrottle.objects.filter(pk=row.pk).update(locked_until=timezone.now())
    assert lengths == [60, 120, 200, 200]


def test_the_token_page_needs_the_second_factor(registrar: User, settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    browser = Client()
    browser.force_login(registrar)  # password only, second factor not passed
    response = browser.get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")


def test_the_sign_in_page_answers_a_held_account_with_the_lockout_page(
    person: User, settings: Any
) -> None:
    from tuoyu_portal.accounts import throttle

    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 3
    for _n in range(3):
        throttle.record_failure(person.username)
    browser = Client(REMOTE_ADDR="10.7.7.7")
    response = browser.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    assert response.status_code == 429  # the right password, yet held: not signed in
    assert "_auth_user_id" not in browser.session
