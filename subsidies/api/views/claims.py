"""Thin DRF views: visible_to() for every lookup, one @action per transition (style.md §7)."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from tuoyu_portal.api import cursor_pagination
from tuoyu_portal.crypto import decrypt

from ..exports import batch_workbook
from ..models import Claim, PaymentBatch, Scheme
from ..services import batches as batch_services
from ..services import claims as claim_services
from ..services import documents as document_services
from ..services.claims import LineInput
from . import serializers as s
from .filters import ClaimFilter, PaymentBatchFilter, SchemeFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for the XLSX by Accept header; errors still come out as JSON text."""

    media_type = XLSX
    format = "xlsx"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Subsidy schemes per region with effective dates (public policy: any signed-in user reads;
    admins edit them in the Django admin)."""

    serializer_class = s.SchemeOutputSerializer
    filterset_class = SchemeFilter
    queryset = Scheme.objects.all()


def _current_lines(claim: Claim) -> list[LineInput]:
    return [
        LineInput(
            classes=line.classes,
            places=line.places,
            child_name=line.child_name,
            child_id_number=decrypt(line.child_id_encrypted) if line.child_id_encrypted else "",
            birth_order=line.birth_order,
            months=tuple(line.months),
        )
        for line in claim.lines.all()
    ]


class ClaimViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Subsidy claims: operators create and submit for their filings; subsidy officers of the
    region decide."""

    serializer_class = s.ClaimOutputSerializer
    filterset_class = ClaimFilter

    def get_queryset(self) -> QuerySet[Claim]:
        return (
            Claim.objects.visible_to(self.request.user)
            .select_related("institution")
            .prefetch_related("lines", "transitions__actor", "documents")
        )

    def _out(self, claim: Claim, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.ClaimOutputSerializer(self.get_queryset().get(pk=claim.pk)).data, code)

    @extend_schema(responses={200: s.ClaimOutputSerializer(many=True)})
    @action(
        detail=False,
        methods=["get"],
        pagination_class=cursor_pagination("submitted_at", "id"),
    )
    def queue(self, request: Request) -> Response:
        """Submitted claims awaiting a decision, oldest submission first (officers' queue)."""
        claims = self.filter_queryset(self.get_queryset()).queue()
        page = self.paginate_queryset(claims)
        return self.get_paginated_response(s.ClaimOutputSerializer(page, many=True).data)

    @extend_schema(request=s.ClaimInputSerializer, responses={201: s.ClaimOutputSerializer})
    def create(self, request: Request) -> Response:
        data = s.ClaimInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        claim = claim_services.create_claim(
            data.validated_data["filing"],
            actor=request.user,
            scheme=data.validated_data["scheme"],
            period_start=data.validated_data["period_start"],
            period_end=data.validated_data["period_end"],
            lines=data.lines_input(),
        )
        return self._out(claim, status.HTTP_201_CREATED)

    @extend_schema(request=s.ClaimInputSerializer, responses={200: s.ClaimOutputSerializer})
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        claim = self.get_object()
        data = s.ClaimInputSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        claim = claim_services.update_claim(
            claim,
            actor=request.user,
            scheme=values.get("scheme", claim.scheme),
            period_start=values.get("period_start", claim.period_start),
            period_end=values.get("period_end", claim.period_end),
            lines=data.lines_input() if "lines" in values else _current_lines(claim),
        )
        return self._out(claim)

    @extend_schema(request=None, responses={200: s.ClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._out(claim_services.submit_claim(self.get_object(), actor=request.user))

    @extend_schema(request=s.ClaimApproveInputSerializer, responses={200: s.ClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        claim = self.get_object()
        data = s.ClaimApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            claim_services.approve_claim(
                claim, actor=request.user, note=data.validated_data["note"]
            )
        )

    @extend_schema(request=s.ClaimReasonInputSerializer, responses={200: s.ClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        claim = self.get_object()
        data = s.ClaimReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            claim_services.reject_claim(
                claim, actor=request.user, reason=data.validated_data["reason"]
            )
        )

    @extend_schema(request=s.ClaimReasonInputSerializer, responses={200: s.ClaimOutputSerializer})
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk: Any = None) -> Response:
        claim = self.get_object()
        data = s.ClaimReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            claim_services.request_changes(
                claim, actor=request.user, reason=data.validated_data["reason"]
            )
        )

    @extend_schema(
        request={"multipart/form-data": s.ClaimDocumentInputSerializer},
        responses={201: s.ClaimDocumentOutputSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request: Request, pk: Any = None) -> Response:
        claim = self.get_object()
        data = s.ClaimDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_services.add_document(
            claim, actor=request.user, upload=data.validated_data["file"]
        )
        return Response(s.ClaimDocumentOutputSerializer(document).data, status.HTTP_201_CREATED)


class PaymentBatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Payment batches of approved claims, XLSX export, mark paid (subsidy officers)."""

    serializer_class = s.PaymentBatchOutputSerializer
    filterset_class = PaymentBatchFilter

    def get_queryset(self) -> QuerySet[PaymentBatch]:
        return (
            PaymentBatch.objects.visible_to(self.request.user)
            .select_related("created_by")
            .prefetch_related("claims")
        )

    def _out(self, batch: PaymentBatch, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            s.PaymentBatchOutputSerializer(self.get_queryset().get(pk=batch.pk)).data, code
        )

    @extend_schema(
        request=s.PaymentBatchCreateInputSerializer,
        responses={201: s.PaymentBatchOutputSerializer},
    )
    def create(self, request: Request) -> Response:
        data = s.PaymentBatchCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = batch_services.create_batch(data.validated_data["claims"], actor=request.user)
        return self._out(batch, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX")},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, XlsxRenderer])
    def export(self, request: Request, pk: Any = None) -> HttpResponse:
        batch = self.get_object()
        response = HttpResponse(batch_workbook(batch), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="payment-batch-{batch.pk}.xlsx"'
        return response

    @extend_schema(
        request=s.PaymentBatchMarkPaidInputSerializer,
        responses={200: s.PaymentBatchOutputSerializer},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, pk: Any = None) -> Response:
        batch = self.get_object()
        data = s.PaymentBatchMarkPaidInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            batch_services.mark_batch_paid(
                batch, actor=request.user, payment_ref=data.validated_data["payment_ref"]
            )
        )
