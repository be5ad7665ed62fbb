"""Request types for views that only signed-in people reach.

Django types `request.user` as `User | AnonymousUser`; behind `login_required`, a role guard or
DRF's `IsAuthenticated` it is always our `User`. Annotating such views with these types says so
once, instead of a cast or an `isinstance` in every view. A Django view's user also carries what
django_otp's middleware sets on it (`is_verified()`); a DRF view's user is a plain `User`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django_otp.models import Device

    from tuoyu_portal.accounts.models import User

    class OTPUser(User):
        """The user django_otp's OTPMiddleware hands a Django view: it sets these two."""

        otp_device: Device | None

        def is_verified(self) -> bool: ...


class AuthenticatedHttpRequest(HttpRequest):
    user: OTPUser


if TYPE_CHECKING:

    class AuthenticatedRequest(Request):
        user: User

else:
    # At run time DRF builds a plain Request; the subclass exists for the type checker only.
    AuthenticatedRequest = Request

__all__ = ["AuthenticatedHttpRequest", "AuthenticatedRequest"]
