"""Change filings and deregistration: /api/v1/filings/{id}/changes/, /api/v1/filing-changes/."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.models import (
    CareMode,
    ChangeDocument,
    ClassType,
    DocumentKind,
    Filing,
    FilingChange,
    FilingChangeTransition,
)
from registry.services import changes as services
from tuoyu_portal import text, uploads
from tuoyu_portal.api import IdCursorPagination
from tuoyu_portal.identifier_fields import id_number_field
from tuoyu_portal.text import validate_plain_text


class ChangeClassSerializer(serializers.Serializer[Any]):
    class_type = serializers.ChoiceField(choices=ClassType.choices)
    children = serializers.IntegerField(min_value=0)
    carers = serializers.IntegerField(min_value=0)


class ChangeProposedSerializer(serializers.Serializer[Any]):
    address = serializers.CharField(
        max_length=200, required=False, validators=[validate_plain_text]
    )
    places = serializers.IntegerField(min_value=1, required=False)
    care_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=CareMode.choices), required=False, allow_empty=False
    )
    classes = ChangeClassSerializer(many=True, required=False)
    person_in_charge_name = serializers.CharField(
        max_length=50, required=False, validators=[validate_plain_text]
    )
    inclusive = serializers.BooleanField(required=False)
    monthly_fee = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True
    )


class FilingChangeTransitionOutputSerializer(serializers.ModelSerializer[FilingChangeTransition]):
    class Meta:
        model = FilingChangeTransition
        fields = ["from_status", "to_status", "note", "created_at"]


class ChangeDocumentOutputSerializer(serializers.ModelSerializer[ChangeDocument]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ChangeDocument
        fields = ["id", "kind", "kind_display", "original_name", "size", "sha256", "uploaded_at"]


class ChangeDocumentInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(max_length=255, allow_empty_file=False)


class FilingChangeOutputSerializer(serializers.ModelSerializer[FilingChange]):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    history = FilingChangeTransitionOutputSerializer(source="transitions", many=True)
    documents = ChangeDocumentOutputSerializer(many=True, read_only=True)
    required_materials = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()

    def get_required_materials(self, obj: FilingChange) -> list[str]:
        return [str(kind) for kind in services.required_change_materials(obj)]

    def get_clocks(self, obj: FilingChange) -> dict[str, Any]:
        # One memo for a page: the calendar is read once, not once per row.
        return services.change_clocks(obj, memo=self.context.setdefault("clock_memo", {}))

    class Meta:
        model = FilingChange
        fields = [
            "id",
            "filing",
            "status",
            "status_display",
            "proposed",
            "person_in_charge_id_masked",
            "reason",
            "supplement_note",
            "decision_note",
            "submitted_at",
            "decided_at",
            "received_at",
            "receipt_due",
            "conformity_due",
            "clocks",
            "required_materials",
            "documents",
            "history",
        ]


class FilingChangeCreateInputSerializer(serializers.Serializer[Any]):
    proposed = ChangeProposedSerializer()
    person_in_charge_id_number = id_number_field(
        max_length=18, required=False, allow_blank=True, write_only=True
    )
    reason = serializers.CharField(
        max_length=text.REASON_MAX, required=False, allow_blank=True, default=""
    )


class FilingChangeUpdateInputSerializer(serializers.Serializer[Any]):
    proposed = ChangeProposedSerializer()
    reason = serializers.CharField(max_length=text.REASON_MAX, required=False, allow_blank=True)


class NoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=text.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=text.REASON_MAX)


class PlacementSerializer(serializers.Serializer[Any]):
    receiving_institution = serializers.CharField(max_length=100)
    children = serializers.IntegerField(min_value=1)


class DeregisterInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=text.REASON_MAX)
    placement_confirmed = serializers.BooleanField(required=False, default=False)
    # Where the children went (operator: required, [] when none were enrolled).
    placements = PlacementSerializer(many=True, required=False, allow_null=True, default=None)
    # The bureau's own deregistration is a decision: its legal ground and reference.
    legal_basis = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    decision_ref = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class FilingDeregisterOutputSerializer(serializers.ModelSerializer[Filing]):
    class Meta:
        model = Filing
        fields = ["id", "filing_number", "status"]


def _json_proposed(validated: dict[str, Any]) -> dict[str, Any]:
    proposed = dict(validated)
    if "monthly_fee" in proposed and proposed["monthly_fee"] is not None:
        proposed["monthly_fee"] = str(proposed["monthly_fee"])
    if "classes" in proposed:
        proposed["classes"] = [dict(row) for row in proposed["classes"]]
    return proposed


def _filing(request: Request, pk: int) -> Filing:
    return get_object_or_404(Filing.objects.visible_to(request.user), pk=pk)


class FilingChangeListView(APIView):
    """GET a filing's change filings; POST opens a new one (operator)."""

    pagination_class = IdCursorPagination

    @extend_schema(responses=FilingChangeOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        filing = _filing(request, pk)
        paginator = self.pagination_class()
        rows = filing.changes.select_related("filing").prefetch_related("transitions", "documents")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(FilingChangeOutputSerializer(page, many=True).data)

    @extend_schema(
        request=FilingChangeCreateInputSerializer, responses={201: FilingChangeOutputSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
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
    def post(self, request: Request, pk: int) -> Response:
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
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
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
    def documents(self, request: Request, pk: str | None = None) -> Response:
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
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._done(services.submit_change(self.get_object(), actor=request.user))

    @extend_schema(request=NoteInputSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            services.accept_change(self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=NoteInputSerializer)
    @action(detail=True, methods=["post"], url_path="request-supplement")
    def request_supplement(self, request: Request, pk: str | None = None) -> Response:
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            services.request_change_supplement(
                self.get_object(), actor=request.user, **data.validated_data
            )
        )

    @extend_schema(request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(
            services.reject_change(self.get_object(), actor=request.user, **data.validated_data)
        )
