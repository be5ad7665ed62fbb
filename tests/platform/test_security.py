"""Sign-in protection: lockout, two-factor for staff with recovery codes, CSP, idle expiry."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tuoyu_portal.accounts import two_factor
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def two_factor_on(settings: object) -> None:
    settings.TWO_FACTOR_REQUIRED = True


def confirmed_device(user: User) -> TOTPDevice:
    device = two_factor.start_totp_setup(user)
    assert two_factor.confirm_totp(device, current_code(device))
    return device


def test_production_defaults_require_two_factor_when_debug_is_off() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "0",
        "TESTING": "0",
        "SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEY": "A" * 43 + "=",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='tuoyu_portal.settings';"
            "from django.conf import settings;print(settings.TWO_FACTOR_REQUIRED)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_production_refuses_to_start_without_a_secret_key() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "TESTING", "DEBUG")}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os;os.environ['DJANGO_SETTINGS_MODULE']='tuoyu_portal.settings';"
            "from django.conf import settings;settings.SECRET_KEY",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "SECRET_KEY must be set" in out.stderr


def test_five_failures_lock_the_user_out_from_that_address(operator: User) -> None:
    api = APIClient()
    for _ in range(4):
        response = api.post(
            "/api/v1/auth/token/", {"username": "operator_a", "password": "wrong"}, format="json"
        )
        assert response.json()["errors"][0]["code"] == "invalid_credentials"
    fifth = api.post(
        "/api/v1/auth/token/", {"username": "operator_a", "password": "wrong"}, format="json"
    )
    assert fifth.status_code == 429
    locked = api.post(
        "/api/v1/auth/token/", {"username": "operator_a", "password": PASSWORD}, format="json"
    )
    assert locked.status_code == 429
    assert locked.json()["errors"][0]["code"] == "account_locked"
    # Another address is not locked out (lockout is per user *and* address).
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post(
            "/api/v1/auth/token/", {"username": "operator_a", "password": PASSWORD}, format="json"
        ).status_code
        == 200
    )


def test_the_login_page_locks_out_too(client: Client, operator: User) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": "operator_a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "operator_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_staff_must_set_up_two_factor_before_using_pages(
    two_factor_on: None, client: Client, county_reviewer: User, settings: object
) -> None:
    # django-otp throttles a device for a second after a wrong code; this test retries at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client.post("/accounts/login/", {"username": "health_a", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")
    setup = client.get("/accounts/2fa/setup/")
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=county_reviewer, confirmed=False)
    wrong = client.post(
        "/accounts/2fa/setup/", {"code": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()
    done = client.post("/accounts/2fa/setup/", {"code": current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get("/").status_code == 200  # verified now


def test_operators_are_not_asked_for_a_second_factor(
    two_factor_on: None, client: Client, operator: User
) -> None:
    client.post("/accounts/login/", {"username": "operator_a", "password": PASSWORD})
    assert client.get("/").status_code == 200


def test_a_recovery_code_signs_in_once(two_factor_on: None, county_reviewer: User) -> None:
    confirmed_device(county_reviewer)
    codes = two_factor.generate_recovery_codes(county_reviewer)
    client = Client()
    client.post("/accounts/login/", {"username": "health_a", "password": PASSWORD})
    assert client.get("/").status_code == 302
    response = client.post("/accounts/2fa/", {"code": codes[0], "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    again = Client()
    again.post("/accounts/login/", {"username": "health_a", "password": PASSWORD})
    reused = again.post("/accounts/2fa/", {"code": codes[0]})
    assert reused.status_code == 200
    assert "已使用" in reused.content.decode()


def test_staff_tokens_need_a_valid_otp(two_factor_on: None, county_reviewer: User) -> None:
    device = confirmed_device(county_reviewer)
    api = APIClient()
    body = {"username": "health_a", "password": PASSWORD}
    assert (
        api.post("/api/v1/auth/token/", body, format="json").json()["errors"][0]["code"]
        == "otp_required"
    )
    bad = api.post("/api/v1/auth/token/", {**body, "otp": "12345"}, format="json")
    assert bad.json()["errors"][0]["code"] == "otp_invalid"
    # A code is accepted once (replay protection) and a wrong one throttles the device briefly:
    # move to a later 30-second window, past the throttle.
    with time_machine.travel(time.time() + 60, tick=False):
        good = api.post("/api/v1/auth/token/", {**body, "otp": current_code(device)}, format="json")
    assert good.status_code == 200 and good.json()["token"]


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_api_docs_need_no_inline_script(client: Client) -> None:
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html.replace(" ", "")


def test_sessions_expire_when_idle(settings: object) -> None:
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
