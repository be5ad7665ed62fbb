"""API plumbing, pages, health check, token sign-in and the demo seed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from tuoyu_portal.accounts.management.commands.seed_demo import DEMO_USERS
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_healthz_checks_database_broker_and_storage(client: Client, settings: object) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"
    # The broker is the real Redis of the test run (REDIS_URL).
    assert body["checks"]["broker"] == "ok", body
    assert response.status_code == 200


def test_healthz_reports_a_dead_broker_with_503(client: Client, settings: object) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_token_sign_in_works_and_bad_passwords_get_a_chinese_400(
    operator: User, settings: object
) -> None:
    settings.TWO_FACTOR_REQUIRED = False
    api = APIClient()
    good = api.post(
        "/api/v1/auth/token/",
        {"username": "operator_a", "password": "correct-horse-battery"},
        format="json",
    )
    assert good.status_code == 200
    token = good.json()["token"]
    bad = api.post(
        "/api/v1/auth/token/", {"username": "operator_a", "password": "nope"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "invalid_credentials"
    assert "密码" in bad.json()["errors"][0]["message"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["role"] == "operator"


def test_staff_tokens_need_a_second_factor_where_required(
    county_reviewer: User, settings: object
) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "health_a", "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "otp_required"


def test_missing_fields_answer_in_the_error_shape_in_chinese() -> None:
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"username", "password"}
    assert all(e["code"] == "required" and not e["message"].isascii() for e in errors)


def test_the_api_requires_authentication() -> None:
    response = APIClient().get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_openapi_schema_and_docs_are_served_without_a_cdn(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/" in html


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (None, "工作人员与举办者登录"),
        ("operator", "我的机构"),
        ("registrar", "登记审核队列"),
        ("county_reviewer", "登记推送收件箱"),
        ("inspector", "监督检查"),
    ],
)
def test_the_home_page_says_what_each_role_can_do_next(
    request: pytest.FixtureRequest, client: Client, fixture: str | None, expected: str
) -> None:
    if fixture:
        client.force_login(request.getfixturevalue(fixture))
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="zh-hans"' in text
    if fixture in (None, "inspector"):
        assert expected in text


def test_pages_are_available_in_english_on_request(client: Client) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_login_and_logout(client: Client, operator: User) -> None:
    response = client.post(
        "/accounts/login/", {"username": "operator_a", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_the_admin_is_branded(client: Client) -> None:
    response = client.get("/admin/login/")
    assert "托育机构登记备案服务平台" in response.content.decode()


def test_seed_demo_creates_the_demo_users_idempotently(settings: object) -> None:
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-123"
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(username__in=[u["username"] for u in DEMO_USERS]).count() == len(
        DEMO_USERS
    )
    scjg2 = User.objects.get(username="scjg2")
    assert (scjg2.role, scjg2.region_id, scjg2.authority) == ("registrar", "141023", "scjg")
    assert User.objects.get(username="inspector").department == "health"
    assert User.objects.get(username="province").region_id == "370000"
    assert User.objects.get(username="operator").check_password("demo-password-123")


def test_seed_demo_refuses_without_debug_unless_forced(settings: object) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", "--force", stdout=StringIO())
    assert User.objects.filter(username="health").exists()
