"""Request context for trigger-written audit events: actor, path, method and client address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from pghistory.middleware import HistoryMiddleware

from tuoyu_portal.ratelimit import client_ip


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory's middleware (it also follows DRF token authentication, which sets the user
    after the middleware ran) plus the HTTP method and the client address."""

    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().get_context(request)
        context["method"] = request.method
        context["ip"] = client_ip(request)
        return context
