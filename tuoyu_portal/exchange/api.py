"""The receiving endpoint: another deployment (or a health-department system) POSTs events here."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tuoyu_portal.api import error_response
from tuoyu_portal.guards import parse_json

from .signing import verify


class EventEnvelopeSerializer(serializers.Serializer):
    idempotency_key = serializers.UUIDField()
    event_type = serializers.ChoiceField(
        choices=["registration.approved", "registration.cancelled"]
    )
    region = serializers.CharField(max_length=12, required=False)  # a region code
    created_at = serializers.CharField(max_length=40, required=False, allow_null=True)  # ISO 8601
    payload = serializers.DictField()


class ReceiveEventView(APIView):
    """POST a signed event; applied once per idempotency key (201 first time, 200 duplicate)."""

    # Authenticated by the HMAC signature, not by a user: no session, no token, no CSRF.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(
        request=EventEnvelopeSerializer,
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-Tuoyu-Timestamp", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-Tuoyu-Signature", str, OpenApiParameter.HEADER, required=True),
        ],
        responses={
            201: inline_serializer("EventReceived", {"status": serializers.CharField()}),
            200: inline_serializer("EventDuplicate", {"status": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        body: bytes = request.body
        timestamp = request.headers.get("X-Tuoyu-Timestamp", "")
        signature = request.headers.get("X-Tuoyu-Signature", "")
        if not verify(settings.HEALTH_DEPT_PUSH_SECRET, timestamp, body, signature):
            return _error(
                "signature_invalid", _("签名无效，拒绝接收。"), status.HTTP_401_UNAUTHORIZED
            )
        try:
            age = abs(time.time() - int(timestamp))
        except ValueError:
            age = float("inf")
        if age > settings.HEALTH_DEPT_SIGNATURE_MAX_AGE:
            return _error(
                "timestamp_expired",
                _("请求时间戳已过期（超过5分钟）。"),
                status.HTTP_401_UNAUTHORIZED,
            )
        try:
            data = parse_json(body)
        except (ValueError, UnicodeDecodeError):
            return _error("parse_error", _("请求内容无法解析。"), status.HTTP_400_BAD_REQUEST)
        envelope = EventEnvelopeSerializer(data=data)
        envelope.is_valid(raise_exception=True)
        key = str(envelope.validated_data["idempotency_key"])
        if request.headers.get("Idempotency-Key", key) != key:
            return _error(
                "idempotency_key_mismatch",
                _("请求头 Idempotency-Key 与报文不一致。"),
                status.HTTP_400_BAD_REQUEST,
            )
        receive = import_string(settings.HEALTH_DEPT_LOCAL_RECEIVER)
        _entry, created = receive(
            key,
            envelope.validated_data["event_type"],
            envelope.validated_data["payload"],
            same_deployment=False,
        )
        if created:
            return Response({"status": "received"}, status=status.HTTP_201_CREATED)
        return Response({"status": "duplicate"}, status=status.HTTP_200_OK)


def _error(code: str, message: Any, status_code: int) -> Response:
    return error_response([{"code": code, "message": str(message), "field": None}], status_code)
