"""What the inspections API views share: today's date in the serializer context, a role check."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from tuoyu_portal.http import AuthenticatedRequest


class TodayContextMixin:
    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]  # mixed into a GenericAPIView
        context["today"] = timezone.localdate()
        return context


def require_role(request: AuthenticatedRequest, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied()
