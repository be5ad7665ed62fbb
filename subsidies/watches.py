"""Subsidy offices watch every facility they pay: the toggle and the recipients."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from registry.models import Filing, Watch
from registry.services.watches import set_office_watch
from subsidies.permissions import role_required
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.http import AuthenticatedHttpRequest

from .models import Claim, ClaimStatus

PAID_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.PAID)


def paying_office_watchers(filing: Filing) -> list[int]:
    """Ids of subsidy officers with the toggle on whose region pays (approved or paid claims)
    this facility (settings.WATCH_OFFICE_PROVIDERS)."""
    if not Claim.objects.filter(filing=filing, status__in=PAID_STATUSES).exists():
        return []
    watching = Watch.objects.filter(
        user__role=Role.SUBSIDY_OFFICER, user__isnull=False
    ).select_related("user")
    return [w.user.id for w in watching if w.user and w.user.region_contains(filing.region_id)]


def office_watching(user: User) -> bool:
    return Watch.objects.filter(user=user).exists()


@require_POST
@role_required(Role.SUBSIDY_OFFICER)
def toggle_office_watch(request: AuthenticatedHttpRequest) -> HttpResponse:
    on = request.POST.get("on") == "1"
    set_office_watch(request.user, on=on)
    messages.success(
        request,
        _("已开启：本地区补贴机构的公开信息有变化时，将发邮件通知您。")
        if on
        else _("已关闭机构变化邮件通知。"),
    )
    return redirect("subsidy-queue")
