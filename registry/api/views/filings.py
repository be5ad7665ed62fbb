"""`/api/v1/filings/`: the 备案书, documents, review actions, receipt (api.md "Filings")."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from registry import receipts
from registry.api.serializers.filings import (
    FilingConformingInputSerializer,
    FilingCreateInputSerializer,
    FilingDocumentInputSerializer,
    FilingDocumentOutputSerializer,
    FilingDraftInputSerializer,
    FilingListOutputSerializer,
    FilingNonconformingInputSerializer,
    FilingOutputSerializer,
    FilingSupplementInputSerializer,
)
from registry.models import (
    Filing,
    FilingDocument,
    FilingStatus,
    Registration,
)
from registry.selectors import filings as filing_selectors
from registry.services import filing_documents
from registry.services import filings as svc
from tuoyu_portal import uploads
from tuoyu_portal.api import (
    IdCursorPagination,
    ValuesListMixin,
    cursor_pagination,
    iso_date,
    iso_datetime,
    labels,
)
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.guards import DepthLimitedJSONParser
from tuoyu_portal.http import AuthenticatedRequest


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=FilingStatus.values,
                description="submitted: the reviewer queue, oldest first by received_at",
            )
        ]
    ),
    create=extend_schema(
        request=FilingCreateInputSerializer, responses={201: FilingOutputSerializer}
    ),
    partial_update=extend_schema(
        request=FilingDraftInputSerializer, responses={200: FilingOutputSerializer}
    ),
    retrieve=extend_schema(responses={200: FilingOutputSerializer}),
)
class FilingViewSet(
    ValuesListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Filings visible to the caller (operators: own institutions; reviewers: their county)."""

    request: AuthenticatedRequest

    permission_classes = [IsAuthenticated]
    serializer_class = FilingOutputSerializer
    parser_classes = [DepthLimitedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Filing]:
        qs = Filing.objects.visible_to(self.request.user).select_related(
            "institution", "registration", "region"
        )
        if self.action == "list":
            wanted = self.request.query_params.get("status")
            if wanted:
                if wanted not in FilingStatus.values:
                    raise DomainError.single("invalid_choice", _("状态无效。"), "status")
                qs = qs.filter(status=wanted)
        return qs

    @property
    def paginator(self) -> Any:
        # The reviewer queue is oldest first (the 5-day clock runs from received_at); every
        # other list is newest first.
        if not hasattr(self, "_paginator"):
            if self.request.query_params.get("status") == FilingStatus.SUBMITTED:
                self._paginator = cursor_pagination("received_at", "id")()
            else:
                self._paginator = IdCursorPagination()
        return self._paginator

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return FilingListOutputSerializer
        return FilingOutputSerializer

    # The queue and the lists: FilingListOutputSerializer's fields from .values() rows.
    list_values = (
        "id",
        "registration_id",
        "institution_id",
        "institution__name",
        "region_id",
        "status",
        "filing_number",
        "places",
        "care_modes",
        "received_at",
        "receipt_due",
        "conformity_due",
        "filed_on",
        "clocks_provisional",
        "conformity_decided_at",
    )

    def shape_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        statuses = labels(FilingStatus)
        memo: dict[tuple[Any, ...], Any] = {}
        today = timezone.localdate()
        # A supervisor's page spans many counties: their calendar overrides in one query.
        for region, found in filing_selectors.page_overrides(
            today, {r["region_id"] for r in rows}
        ).items():
            memo[("overrides", today, region)] = sorted(found.items())
        return [
            {
                "id": r["id"],
                "registration": r["registration_id"],
                "institution": r["institution_id"],
                "institution_name": r["institution__name"],
                "region": r["region_id"],
                "status": r["status"],
                "status_display": statuses.get(r["status"], r["status"]),
                "filing_number": r["filing_number"],
                "places": r["places"],
                "care_modes": r["care_modes"],
                "received_at": iso_datetime(r["received_at"]),
                "receipt_due": iso_date(r["receipt_due"]),
                "conformity_due": iso_date(r["conformity_due"]),
                "filed_on": iso_date(r["filed_on"]),
                # clocks() reads attributes only: the row stands in for the model instance.
                "clocks": filing_selectors.clocks(SimpleNamespace(**r), today=today, memo=memo),
            }
            for r in rows
        ]

    def _out(self, filing: Filing, code: int = status.HTTP_200_OK) -> Response:
        filing = self.get_queryset().get(pk=filing.pk)
        return Response(
            FilingOutputSerializer(filing, context={"request": self.request}).data, status=code
        )

    def create(self, request: AuthenticatedRequest) -> Response:
        data = FilingCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        registration = Registration(pk=values.pop("registration"))
        filing = svc.create_filing(actor=request.user, registration=registration, data=values)
        return self._out(filing, status.HTTP_201_CREATED)

    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        filing = self.get_object()
        data = FilingDraftInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        filing = svc.update_filing_draft(filing, actor=request.user, data=data.validated_data)
        return self._out(filing)

    @extend_schema(request=None, responses={200: FilingOutputSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._out(svc.submit_filing(self.get_object(), actor=request.user))

    @extend_schema(request=FilingSupplementInputSerializer, responses={200: FilingOutputSerializer})
    @action(detail=True, methods=["post"], url_path="request-supplement")
    def request_supplement(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        filing = self.get_object()
        data = FilingSupplementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            svc.request_supplement(
                filing,
                actor=request.user,
                items=[dict(i) for i in data.validated_data["items"]],
                note=data.validated_data["note"],
            )
        )

    @extend_schema(request=None, responses={200: FilingOutputSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._out(svc.accept_filing(self.get_object(), actor=request.user))

    @extend_schema(
        request=FilingNonconformingInputSerializer, responses={200: FilingOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def nonconforming(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        filing = self.get_object()
        data = FilingNonconformingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            svc.mark_nonconforming(
                filing, actor=request.user, reasons=data.validated_data["reasons"]
            )
        )

    @extend_schema(request=FilingConformingInputSerializer, responses={200: FilingOutputSerializer})
    @action(detail=True, methods=["post"])
    def conforming(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        filing = self.get_object()
        data = FilingConformingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            svc.mark_conforming(filing, actor=request.user, note=data.validated_data["note"])
        )

    @extend_schema(
        request={"multipart/form-data": FilingDocumentInputSerializer},
        responses={201: FilingDocumentOutputSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="documents",
        parser_classes=[MultiPartParser, FormParser],
    )
    def documents(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        filing = self.get_object()
        uploads.refuse_declared_oversize(request)
        data = FilingDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = filing_documents.add_document(
            filing,
            actor=request.user,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
        )
        return Response(
            FilingDocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<doc_id>[0-9]+)",
        renderer_classes=[JSONRenderer, PDFRenderer],
    )
    def download_document(
        self, request: AuthenticatedRequest, pk: str | None = None, doc_id: str = ""
    ) -> FileResponse:
        filing = self.get_object()
        document = (
            FilingDocument.objects.visible_to(request.user).filter(filing=filing, pk=doc_id).first()
        )
        if document is None:
            raise Http404
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def receipt(self, request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
        filing = self.get_object()
        if filing.status not in Filing.PUBLIC_STATUSES or not filing.filing_number:
            raise DomainError.single(
                "receipt_not_available", _("备案尚未完成，暂无备案回执。"), None
            )
        return _pdf(receipts.render_receipt(filing), f"receipt-{filing.filing_number}.pdf")

    @extend_schema(responses=PDF_RESPONSE)
    @action(
        detail=True,
        methods=["get"],
        url_path="conditions-notice",
        renderer_classes=[JSONRenderer, PDFRenderer],
    )
    def conditions_notice(
        self, request: AuthenticatedRequest, pk: str | None = None
    ) -> HttpResponse:
        filing = self.get_object()
        return _pdf(
            receipts.render_conditions_notice(filing, on=timezone.localdate()),
            f"conditions-{filing.pk}.pdf",
        )
