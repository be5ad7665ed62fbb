"""/api/v1/bans/: the national lifetime-ban register, for health reviewers only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from registry.api.serializers.bans import (
    BanCorrectInputSerializer,
    BanCreateInputSerializer,
    BanOutputSerializer,
)
from registry.models import Ban
from registry.services import bans as services
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.http import AuthenticatedRequest


class IsHealthReviewer(BasePermission):
    """Bans are national: any health reviewer may check and add; nobody else sees them."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.HEALTH_REVIEWER)


class BanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Ban]):
    """List (masked), add, and correct with a mandatory reason. There is no DELETE."""

    permission_classes = [IsHealthReviewer]
    serializer_class = BanOutputSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Ban]:
        return Ban.objects.prefetch_related("corrections__actor")

    @extend_schema(request=BanCreateInputSerializer, responses={201: BanOutputSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = BanCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ban = services.create_ban(actor=request.user, **data.validated_data)
        return Response(BanOutputSerializer(ban).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BanCorrectInputSerializer, responses=BanOutputSerializer)
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        ban = self.get_object()
        data = BanCorrectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        reason = changes.pop("reason")
        ban = services.correct_ban(ban, actor=request.user, changes=changes, reason=reason)
        return Response(BanOutputSerializer(Ban.objects.get(pk=ban.pk)).data)
