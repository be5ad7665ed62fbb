"""API tokens (tuoyu_portal/authentication.py): the token's user, or 401."""

from __future__ import annotations

from rest_framework.test import APIClient

from tuoyu_portal.accounts.models import User
from tuoyu_portal.accounts.tokens import issue_token


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_acts_as_its_user_with_the_user_s_jurisdiction(registrar: User) -> None:
    token, key = issue_token(registrar)
    response = _client(key).get("/api/v1/registrations/")
    assert response.status_code == 200

    from tuoyu_portal.authentication import TokenAuthentication

    user, auth = TokenAuthentication().authenticate_credentials(key)
    assert user.pk == registrar.pk and user.role == registrar.role
    assert user.region_id == registrar.region_id and user.authority == registrar.authority
    assert auth.pk == token.pk and auth.created_at == token.created_at


def test_an_unknown_token_is_401_with_a_chinese_message(db: None) -> None:
    response = _client("0" * 40).get("/api/v1/registrations/")
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["code"] == "authentication_failed" and error["message"] == "令牌无效。"


def test_an_inactive_user_s_token_is_refused(registrar: User) -> None:
    _token, key = issue_token(registrar)
    User.objects.filter(pk=registrar.pk).update(is_active=False)
    response = _client(key).get("/api/v1/registrations/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "用户已停用或已删除。"
