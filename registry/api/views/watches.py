"""POST /api/v1/public/watches/: ask to watch a facility; 202, confirmed by e-mail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.serializers.watches import WatchCreateInputSerializer
from registry.services import watches


class PublicWatchCreateView(APIView):
    """202 whether or not the address already watches the facility (nothing is revealed)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=WatchCreateInputSerializer,
        responses={202: inline_serializer("WatchAccepted", {"detail": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        data = WatchCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        watches.request_watch(
            facility=data.validated_data["facility"], email=data.validated_data["email"]
        )
        return Response(
            {"detail": _("请查收确认邮件，点击其中的链接后关注生效。")},
            status=status.HTTP_202_ACCEPTED,
        )
