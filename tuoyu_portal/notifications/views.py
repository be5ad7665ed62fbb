"""The in-app inbox: a user's own notifications, newest first, with mark-as-read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .models import Notification
from .services.notify import mark_all_read, mark_read

PAGE_SIZE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    items = Notification.objects.visible_to(user)
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
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    mark_read(notification, actor=request.user)  # type: ignore[arg-type]
    if notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("notifications")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_all_read(actor=request.user)  # type: ignore[arg-type]
    return redirect("notifications")
