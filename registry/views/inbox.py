"""The health reviewer's page of pushed registrations (registered-not-filed reconciliation)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from registry.api.views.inbox import INBOX_ROLES
from registry.models import HealthInboxEntry
from tuoyu_portal.http import AuthenticatedHttpRequest

PAGE_SIZE = 50


def _flag(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get((value or "").lower())


@login_required
def health_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role not in INBOX_ROLES:
        raise PermissionDenied
    entries = HealthInboxEntry.objects.visible_to(request.user).with_status()
    has_filing, overdue = _flag(request.GET.get("has_filing")), _flag(request.GET.get("overdue"))
    if has_filing is not None:
        entries = entries.filter(has_filing=has_filing)  # type: ignore[misc]  # annotated by with_status in SQL
    if overdue is not None:
        entries = entries.filter(overdue=overdue)  # type: ignore[misc]  # annotated by with_status in SQL
    # Keyset paging on id (newest first): no COUNT, no OFFSET.
    before = request.GET.get("before", "")
    if before.isdigit():
        entries = entries.filter(id__lt=int(before))
    rows = list(entries.select_related("region").order_by("-id")[: PAGE_SIZE + 1])
    next_before = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    filters = {
        "has_filing": request.GET.get("has_filing", ""),
        "overdue": request.GET.get("overdue", ""),
    }
    return render(
        request,
        "registry/health_inbox.html",
        {"rows": rows[:PAGE_SIZE], "next_before": next_before, "filters": filters},
    )
