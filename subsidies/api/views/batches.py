"""Payment batches of approved claims, XLSX export, mark paid (subsidy officers)."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from subsidies.api.filters import PaymentBatchFilter
from subsidies.api.serializers.batches import (
    PaymentBatchCreateInputSerializer,
    PaymentBatchMarkPaidInputSerializer,
    PaymentBatchOutputSerializer,
)
from subsidies.exports import batch_workbook
from subsidies.models import PaymentBatch
from subsidies.services import batches as batch_services
from tuoyu_portal.http import AuthenticatedRequest

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


class PaymentBatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Payment batches of approved claims, XLSX export, mark paid (subsidy officers)."""

    # Behind IsAuthenticated (the default): the user is signed in.
    request: AuthenticatedRequest
    serializer_class = PaymentBatchOutputSerializer
    filterset_class = PaymentBatchFilter

    def get_queryset(self) -> QuerySet[PaymentBatch]:
        return (
            PaymentBatch.objects.visible_to(self.request.user)
            .select_related("created_by")
            .prefetch_related("claims")
        )

    def _out(self, batch: PaymentBatch, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            PaymentBatchOutputSerializer(self.get_queryset().get(pk=batch.pk)).data, code
        )

    @extend_schema(
        request=PaymentBatchCreateInputSerializer,
        responses={201: PaymentBatchOutputSerializer},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        data = PaymentBatchCreateInputSerializer(data=request.data)
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
        request=PaymentBatchMarkPaidInputSerializer,
        responses={200: PaymentBatchOutputSerializer},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        batch = self.get_object()
        data = PaymentBatchMarkPaidInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            batch_services.mark_batch_paid(
                batch, actor=request.user, payment_ref=data.validated_data["payment_ref"]
            )
        )
