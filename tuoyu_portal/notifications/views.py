"""The in-app inbox: a user's own notifications, newest first, with mark-as-read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tuoyu_portal.http import AuthenticatedHttpRequest

from .models import Notification
from .services.notify import mark_all_read, mark_read

PAGE_SIZE = 50


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = Notification.objects.visible_to(request.user)
    # Keyset paging on id (newest first): no COUNT, no OFFSET.
    before = request.GET.get("before", "")
    if before.isdigit():
        items = items.filter(id__lt=int(before))
    rows = list(items.order_by("-id")[: PAGE_SIZE + 1])
    next_before = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": rows[:PAGE_SIZE], "next_before": next_before},
    )


@login_required
@require_POST
def read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    mark_read(notification, actor=request.user)
    if notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("notifications")


@login_required
@require_POST
def read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    mark_all_read(actor=request.user)
    return redirect("notifications")
