"""Enforcement actions and the operator's reply and correction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inspections.api.filters import EnforcementActionFilter
from inspections.api.serializers.enforcement import (
    EnforcementCorrectionInputSerializer,
    EnforcementInputSerializer,
    EnforcementOutputSerializer,
    EnforcementReplyInputSerializer,
)
from inspections.api.views.base import TodayContextMixin, require_role
from inspections.models import (
    EnforcementAction,
    Finding,
)
from inspections.services import enforcement
from registry.models import Filing
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.http import AuthenticatedRequest


class EnforcementActionViewSet(
    TodayContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Penalties: the county health bureau records them; operators see and reply to their own."""

    # Behind IsAuthenticated (the default): the user is signed in.
    request: AuthenticatedRequest
    serializer_class = EnforcementOutputSerializer
    filterset_class = EnforcementActionFilter

    def get_queryset(self) -> QuerySet[EnforcementAction]:
        return EnforcementAction.objects.visible_to(self.request.user)

    @extend_schema(request=EnforcementInputSerializer, responses={201: EnforcementOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_role(self.request, Role.HEALTH_REVIEWER)
        data = EnforcementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        filing = get_object_or_404(Filing.objects.visible_to(self.request.user), pk=v.pop("filing"))
        finding_id = v.pop("finding")
        finding = (
            get_object_or_404(Finding.objects.visible_to(self.request.user), pk=finding_id)
            if finding_id
            else None
        )
        act = enforcement.record_enforcement(filing, actor=self.request.user, finding=finding, **v)
        return Response(self.get_serializer(act).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EnforcementReplyInputSerializer, responses=EnforcementOutputSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = EnforcementReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        act = enforcement.reply_to_enforcement(
            self.get_object(), actor=request.user, reply=data.validated_data["reply"]
        )
        return Response(self.get_serializer(act).data)

    @extend_schema(
        request=EnforcementCorrectionInputSerializer, responses=EnforcementOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def correction(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = EnforcementCorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        act = enforcement.update_correction(
            self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(self.get_serializer(act).data)
