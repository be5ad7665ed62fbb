"""System check: audit retention may not be set below the legal minimum."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

# 网络安全法 §21(3): network logs are kept for no less than six months (≥ 184 days covers any
# six consecutive months).
MIN_AUDIT_RETENTION_DAYS = 184


@register()
def audit_retention(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", 0))
    if days < MIN_AUDIT_RETENTION_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {days}; audit logs must be kept at least "
                f"{MIN_AUDIT_RETENTION_DAYS} days (网络安全法 §21: no less than six months).",
                id="audit.E001",
            )
        ]
    return []
