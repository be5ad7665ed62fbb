"""Pages for the second sign-in factor (set up an authenticator, verify, recovery codes) and
the user's own API tokens."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuoyu_portal.http import AuthenticatedHttpRequest

from . import tokens, two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态验证码或恢复码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


@login_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", _("验证码不正确或已使用，请重试。"))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show a QR code for an authenticator app; confirming it issues the recovery codes."""
    device_id = request.session.get("totp_setup_device")
    device = TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
    if device is None:
        device = two_factor.start_totp_setup(request.user)
        request.session["totp_setup_device"] = device.pk
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_totp(device, form.cleaned_data["code"]):
            otp_login(request, device)
            del request.session["totp_setup_device"]
            codes = two_factor.generate_recovery_codes(request.user)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", _("验证码不正确，请确认手机时间准确后重试。"))
    uri = two_factor.provisioning_uri(device, request.user)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr": qr, "key": two_factor.manual_key(device), "next": _next_url(request)},
    )


@login_required
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Issue a new set of recovery codes (only after the second factor has been passed)."""
    if not request.user.is_verified():
        return HttpResponseRedirect("/accounts/2fa/")
    codes = two_factor.generate_recovery_codes(request.user) if request.method == "POST" else None
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/"})


@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's own API tokens; each can be revoked here.

    /accounts/ is open to staff who have not passed the second factor yet (for the 2FA pages);
    this page is not."""
    if two_factor.needs_two_factor(request.user) and not request.user.is_verified():
        return HttpResponseRedirect(f"{reverse('two-factor-verify')}?next={request.path}")
    if request.method == "POST":
        try:
            token_id = int(request.POST.get("token", ""))
        except ValueError:
            token_id = 0
        if tokens.revoke_own(request.user, token_id):
            messages.success(request, _("令牌已注销，使用它的程序需要重新登录。"))
        else:
            messages.error(request, _("该令牌不存在或已失效。"))
        return HttpResponseRedirect(reverse("account-tokens"))
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": tokens.live_tokens(request.user)},
    )
