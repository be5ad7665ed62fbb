"""Subsidy claims: operators file them, officers decide; one @action per transition."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from subsidies.api.filters import ClaimFilter
from subsidies.api.serializers.claims import (
    ClaimApproveInputSerializer,
    ClaimDocumentInputSerializer,
    ClaimDocumentOutputSerializer,
    ClaimInputSerializer,
    ClaimOutputSerializer,
    ClaimReasonInputSerializer,
)
from subsidies.models import Claim, ClaimQuerySet
from subsidies.services import claims as claim_services
from subsidies.services import documents as document_services
from subsidies.services.claims import LineInput
from tuoyu_portal.api import cursor_pagination
from tuoyu_portal.crypto import decrypt
from tuoyu_portal.http import AuthenticatedRequest


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

    # Behind IsAuthenticated (the default): the user is signed in.
    request: AuthenticatedRequest
    serializer_class = ClaimOutputSerializer
    filterset_class = ClaimFilter

    def get_queryset(self) -> QuerySet[Claim]:
        return (
            Claim.objects.visible_to(self.request.user)
            .select_related("institution")
            .prefetch_related("lines", "transitions__actor", "documents")
        )

    def _out(self, claim: Claim, code: int = status.HTTP_200_OK) -> Response:
        return Response(ClaimOutputSerializer(self.get_queryset().get(pk=claim.pk)).data, code)

    @extend_schema(responses={200: ClaimOutputSerializer(many=True)})
    @action(
        detail=False,
        methods=["get"],
        pagination_class=cursor_pagination("submitted_at", "id"),
    )
    def queue(self, request: Request) -> Response:
        """Submitted claims awaiting a decision, oldest submission first (officers' queue)."""
        # Filter backends only call .filter(): the queryset keeps its class.
        claims = cast(ClaimQuerySet, self.filter_queryset(self.get_queryset())).queue()
        page = self.paginate_queryset(claims)
        return self.get_paginated_response(ClaimOutputSerializer(page, many=True).data)

    @extend_schema(request=ClaimInputSerializer, responses={201: ClaimOutputSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = ClaimInputSerializer(data=request.data, context={"request": request})
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

    @extend_schema(request=ClaimInputSerializer, responses={200: ClaimOutputSerializer})
    def partial_update(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        claim = self.get_object()
        data = ClaimInputSerializer(data=request.data, partial=True, context={"request": request})
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

    @extend_schema(request=None, responses={200: ClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._out(claim_services.submit_claim(self.get_object(), actor=request.user))

    @extend_schema(request=ClaimApproveInputSerializer, responses={200: ClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        claim = self.get_object()
        data = ClaimApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            claim_services.approve_claim(
                claim, actor=request.user, note=data.validated_data["note"]
            )
        )

    @extend_schema(request=ClaimReasonInputSerializer, responses={200: ClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        claim = self.get_object()
        data = ClaimReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            claim_services.reject_claim(
                claim, actor=request.user, reason=data.validated_data["reason"]
            )
        )

    @extend_schema(request=ClaimReasonInputSerializer, responses={200: ClaimOutputSerializer})
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        claim = self.get_object()
        data = ClaimReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            claim_services.request_changes(
                claim, actor=request.user, reason=data.validated_data["reason"]
            )
        )

    @extend_schema(
        request={"multipart/form-data": ClaimDocumentInputSerializer},
        responses={201: ClaimDocumentOutputSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        claim = self.get_object()
        data = ClaimDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_services.add_document(
            claim, actor=request.user, upload=data.validated_data["file"]
        )
        return Response(ClaimDocumentOutputSerializer(document).data, status.HTTP_201_CREATED)
