"""The caller's own notifications over the API (api.md 1.1 "Notifications"), newest first."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tuoyu_portal.api import IdCursorPagination

from .models import Notification
from .services.notify import mark_read


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    url = serializers.CharField(source="link", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationListView(APIView):
    """GET the caller's notifications, newest first, cursor-paginated."""

    pagination_class = IdCursorPagination

    @extend_schema(responses=NotificationSerializer(many=True))
    def get(self, request: Request) -> Response:
        user: Any = request.user
        paginator = self.pagination_class()
        rows = Notification.objects.visible_to(user)
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    """POST: the caller marks one of their notifications read (idempotent); another's is a 404."""

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user: Any = request.user
        notification = get_object_or_404(Notification.objects.visible_to(user), pk=pk)
        mark_read(notification, actor=user)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)
