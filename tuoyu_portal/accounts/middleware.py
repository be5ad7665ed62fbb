"""Staff who signed in with a password alone must pass the second factor before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .two_factor import has_confirmed_device, needs_two_factor

# Paths a half-signed-in staff member may still reach: the 2FA pages themselves, sign-out,
# public pages, static files, the health check, and the API (which demands an OTP at token time).
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/", "/i18n/", "/public/", "/verify/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and needs_two_factor(user)
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            target = "two-factor-verify" if has_confirmed_device(user) else "two-factor-setup"
            return HttpResponseRedirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
