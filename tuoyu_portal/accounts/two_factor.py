"""Two-factor sign-in for staff: TOTP devices and one-time recovery codes (django-otp)."""

from __future__ import annotations

import secrets
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RECOVERY_DEVICE_NAME = "recovery"


def needs_two_factor(user: Any) -> bool:
    """Every staff role (and anyone who may use the admin) needs a second factor where required."""
    if not settings.TWO_FACTOR_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff_role or user.is_staff or user.is_superuser)


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_code(user: User, code: str) -> Any:
    """The device that accepts `code` (a TOTP code or an unused recovery code), else None.

    A recovery code is consumed on use by django-otp's StaticDevice.
    """
    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    return match_token(user, code)


@transaction.atomic
def start_totp_setup(user: User) -> TOTPDevice:
    """A fresh unconfirmed TOTP device; earlier unconfirmed ones are discarded."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_totp(device: TOTPDevice, code: str) -> bool:
    if not device.verify_token((code or "").strip()):
        return False
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def generate_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are shown once and never stored again."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def provisioning_uri(device: TOTPDevice, user: User) -> str:
    from urllib.parse import quote

    secret = b32encode(device.bin_key).decode().rstrip("=")
    issuer = quote(settings.OTP_TOTP_ISSUER)
    return f"otpauth://totp/{issuer}:{quote(user.username)}?secret={secret}&issuer={issuer}&digits={device.digits}&period={device.step}"


def manual_key(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def lockout_response(
    request: Any, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> Any:
    """django-axes lockout: the api.md error shape on the API, a Chinese page elsewhere (429)."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    if request.path.startswith("/api/"):
        message = _("连续多次登录失败，账号已暂时锁定，请稍后再试。")
        return JsonResponse(
            {"errors": [{"code": "account_locked", "message": message, "field": None}]}, status=429
        )
    return render(request, "registration/locked_out.html", status=429)
