"""Change filings and deregistration: /api/v1/filings/{id}/changes/, /api/v1/filing-changes/."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.serializers.changes import (
    ChangeDocumentInputSerializer,
    ChangeDocumentOutputSerializer,
    DeregisterInputSerializer,
    FilingChangeCreateInputSerializer,
    FilingChangeOutputSerializer,
    FilingChangeUpdateInputSerializer,
    FilingDeregisterOutputSerializer,
    NoteInputSerializer,
    ReasonInputSerializer,
)
from registry.models import (
    Filing,
    FilingChange,
)
from registry.services import changes as services
from tuoyu_portal import uploads
from tuoyu_portal.api import IdCursorPagination
from tuoyu_portal.http import AuthenticatedRequest


def _json_proposed(validated: dict[str, Any]) -> dict[str, Any]:
    proposed = dict(validated)
    if "monthly_fee" in proposed and proposed["monthly_fee"] is not None:
        proposed["monthly_fee"] = str(proposed["monthly_fee"])
    if "classes" in proposed:
        proposed["classes"] = [dict(row) for row in proposed["classes"]]
    return proposed


def _filing(request: AuthenticatedRequest, pk: int) -> Filing:
    return get_object_or_404(Filing.objects.visible_to(request.user), pk=pk)


class FilingChangeListView(APIView):
    """GET a filing's change filings; POST opens a new one (operator)."""

    pagination_class = IdCursorPagination

    @extend_schema(responses=FilingChangeOutputSerializer(many=True))
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        filing = _filing(request, pk)
        paginator = self.pagination_class()
        rows = filing.changes.select_related("filing").prefetch_related("transitions", "documents")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(FilingChangeOutputSerializer(page, many=True).data)

    @extend_schema(
        request=FilingChangeCreateInputSerializer, responses={201: FilingChangeOutputSerializer}
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        filing = _filing(request, pk)
        data = FilingChangeCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.create_change(
            filing,
            actor=request.user,
            proposed=_json_proposed(data.validated_data["proposed"]),
            reason=data.validated_data["reason"],
            person_in_charge_id_number=data.validated_data.get("person_in_charge_id_number", ""),
        )
        return Response(FilingChangeOutputSerializer(change).data, status=status.HTTP_201_CREATED)


class FilingDeregisterView(APIView):
    """POST /filings/{id}/deregister/: operator (placement confirmed) or the county bureau."""

    @extend_schema(request=DeregisterInputSerializer, responses=FilingDeregisterOutputSerializer)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        filing = _filing(request, pk)
        data = DeregisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values["placements"] is not None:
            values["placements"] = [dict(row) for row in values["placements"]]
        filing = services.deregister_filing(filing, actor=request.user, **values)
        return Response(FilingDeregisterOutputSerializer(filing).data)


class FilingChangeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[FilingChange]
):
    """Change filings in the caller's jurisdiction, with one action per transition."""

    request: AuthenticatedRequest

    serializer_class = FilingChangeOutputSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[FilingChange]:
        queryset = (
            FilingChange.objects.visible_to(self.request.user)
            .select_related("filing")
            .prefetch_related("transitions", "documents")
        )
        wanted = self.request.query_params.get("status")
        return queryset.filter(status=wanted) if wanted else queryset

    def _done(self, change: FilingChange) -> Response:
        return Response(FilingChangeOutputSerializer(FilingChange.objects.get(pk=change.pk)).data)

    @extend_schema(request=FilingChangeUpdateInputSerializer)
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = FilingChangeUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.update_change(
            self.get_object(),
            actor=request.user,
            proposed=_json_proposed(data.validated_data["proposed"]),
            reason=data.validated_data.get("reason"),
        )
        return self._done(change)

    @extend_schema(
        request={"multipart/form-data": ChangeDocumentInputSerializer},
        responses={201: ChangeDocumentOutputSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="documents",
        parser_classes=[MultiPartParser, FormParser],
    )
    def documents(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        change = self.get_object()
        uploads.refuse_declared_oversize(request)
        data = ChangeDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.add_change_document(
            change,
            actor=request.user,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
        )
        return Response(
            ChangeDocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._done(services.submit_change(self.get_object(), actor=request.user))

    @extend_schema(request=NoteInputSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            services.accept_change(self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=NoteInputSerializer)
    @action(detail=True, methods=["post"], url_path="request-supplement")
    def request_supplement(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            services.request_change_supplement(
                self.get_object(), actor=request.user, **data.validated_data
            )
        )

    @extend_schema(request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            services.reject_change(self.get_object(), actor=request.user, **data.validated_data)
        )
