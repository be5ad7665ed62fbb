"""Complaints: the public files them (no login), health reviewers triage them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from inspections.api.filters import ComplaintFilter
from inspections.api.serializers.complaints import (
    ComplaintOutputSerializer,
    ComplaintTriageInputSerializer,
    PublicComplaintCreatedSerializer,
    PublicComplaintInputSerializer,
    PublicComplaintStatusSerializer,
)
from inspections.api.views.base import TodayContextMixin
from inspections.models import (
    Complaint,
    Inspection,
)
from inspections.services import complaints
from tuoyu_portal.api import (
    cursor_pagination,
)
from tuoyu_portal.http import AuthenticatedRequest


class ComplaintViewSet(
    TodayContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """County health reviewers list and triage complaints; operators never see them (404)."""

    # Behind IsAuthenticated (the default): the user is signed in.
    request: AuthenticatedRequest
    serializer_class = ComplaintOutputSerializer
    filterset_class = ComplaintFilter
    # The triage queue reads oldest deadline first.
    pagination_class = cursor_pagination("due_on", "id")

    def get_queryset(self) -> QuerySet[Complaint]:
        return Complaint.objects.visible_to(self.request.user).select_related("filing")

    @extend_schema(request=ComplaintTriageInputSerializer, responses=ComplaintOutputSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        complaint = self.get_object()
        data = ComplaintTriageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        inspection = (
            get_object_or_404(Inspection.objects.visible_to(request.user), pk=v["inspection"])
            if v["inspection"]
            else None
        )
        complaint = complaints.triage_complaint(
            complaint,
            actor=request.user,
            status=v["status"],
            outcome=v["outcome"],
            note=v["note"],
            inspection=inspection,
        )
        return Response(self.get_serializer(complaint).data)


class PublicComplaintCreateView(GenericAPIView):
    """Anyone may file a complaint; the answer is only the tracking code."""

    permission_classes = [AllowAny]
    serializer_class = PublicComplaintInputSerializer

    @extend_schema(responses={201: PublicComplaintCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaints.submit_complaint(**data.validated_data)
        return Response({"tracking_code": complaint.tracking_code}, status=status.HTTP_201_CREATED)


class PublicComplaintStatusView(GenericAPIView):
    """Status and public outcome by tracking code; never the complainant's identity."""

    permission_classes = [AllowAny]
    serializer_class = PublicComplaintStatusSerializer

    def get(self, request: Request, tracking_code: str) -> Response:
        complaint = get_object_or_404(
            Complaint.objects.select_related("filing"), tracking_code=tracking_code.upper()
        )
        return Response(self.get_serializer(complaint).data)
