"""Who may see which region's statistics (architecture.md: jurisdiction is the first rule)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from tuoyu_portal.accounts.models import Role
from tuoyu_portal.regions.models import Region

DASHBOARD_ROLES: tuple[str, ...] = (Role.HEALTH_REVIEWER, Role.SUPERVISOR)


def may_see_dashboard(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*DASHBOARD_ROLES)


def region_for(user: Any, code: str) -> Region:
    """The region `code` if `user` may see its statistics; 404 otherwise (never a 403 with
    details: outside the jurisdiction a region simply does not exist for the caller)."""
    if not may_see_dashboard(user) or not user.region_contains(code):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def public_region(code: str) -> Region:
    region = Region.objects.filter(code=code, active=True).first()
    if region is None:
        raise Http404
    return region


def parse_year(raw: str | None, default: int) -> int:
    """`?year=` as a plausible year; anything else falls back to the default."""
    if raw and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return default
