"""Findings (整改): the inspector records them, the operator rectifies, the inspector verifies."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inspections.api.filters import FindingFilter
from inspections.api.serializers.findings import (
    FindingFollowUpInputSerializer,
    FindingInputSerializer,
    FindingOutputSerializer,
    FindingRectifyInputSerializer,
    FindingVerifyInputSerializer,
)
from inspections.api.serializers.inspections import (
    InspectionOutputSerializer,
)
from inspections.api.views.base import TodayContextMixin, require_role
from inspections.models import (
    Finding,
    Inspection,
)
from inspections.services import findings, visits
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.http import AuthenticatedRequest


class FindingViewSet(
    TodayContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Findings and the rectification loop (`rectify` by the operator, `verify` by the inspector)."""

    # Behind IsAuthenticated (the default): the user is signed in.
    request: AuthenticatedRequest
    serializer_class = FindingOutputSerializer
    filterset_class = FindingFilter

    def get_queryset(self) -> QuerySet[Finding]:
        # Operators do see technical advice given to them; only the public never does.
        return Finding.objects.visible_to(self.request.user).select_related("inspection")

    @extend_schema(request=FindingInputSerializer, responses={201: FindingOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_role(self.request, Role.INSPECTOR)
        data = FindingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        inspection = get_object_or_404(
            Inspection.objects.visible_to(self.request.user), pk=v.pop("inspection")
        )
        finding = findings.record_finding(inspection, actor=self.request.user, **v)
        return Response(self.get_serializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FindingRectifyInputSerializer, responses=FindingOutputSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        finding = self.get_object()
        data = FindingRectifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = findings.submit_rectification(
            finding,
            actor=request.user,
            note=data.validated_data["note"],
            evidence=data.validated_data["evidence"],
        )
        return Response(self.get_serializer(finding).data)

    @extend_schema(request=FindingVerifyInputSerializer, responses=FindingOutputSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        finding = self.get_object()
        data = FindingVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = findings.verify_rectification(finding, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(finding).data)

    @extend_schema(
        request=FindingFollowUpInputSerializer, responses={201: InspectionOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Schedule a follow-up visit (复查) from this finding (inspectors)."""
        finding = self.get_object()
        require_role(request, Role.INSPECTOR)
        data = FindingFollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = visits.schedule_follow_up(
            finding, actor=request.user, visited_on=data.validated_data["visited_on"]
        )
        return Response(
            InspectionOutputSerializer(inspection, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
