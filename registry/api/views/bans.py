"""/api/v1/bans/: the national lifetime-ban register, for health reviewers only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from registry.models import Ban, BanCorrection
from registry.services import bans as services
from tuoyu_portal import text
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.identifier_fields import id_number_field
from tuoyu_portal.identifiers import IdDocumentType, id_number_warnings
from tuoyu_portal.text import validate_plain_text


class IsHealthReviewer(BasePermission):
    """Bans are national: any health reviewer may check and add; nobody else sees them."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.HEALTH_REVIEWER)


class BanCorrectionOutputSerializer(serializers.ModelSerializer[BanCorrection]):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = BanCorrection
        fields = ["id", "actor", "changes", "reason", "created_at"]


class BanOutputSerializer(serializers.ModelSerializer[Ban]):
    corrections = BanCorrectionOutputSerializer(many=True, read_only=True)
    id_document_type_display = serializers.CharField(
        source="get_id_document_type_display", read_only=True
    )
    # Non-blocking findings about the ID (e.g. an address code missing from the region table).
    warnings = serializers.SerializerMethodField()

    def get_warnings(self, obj: Ban) -> list[dict[str, str | None]]:
        return [
            v.as_dict()
            for v in id_number_warnings(obj.id_masked, document_type=obj.id_document_type)
        ]

    class Meta:
        model = Ban
        fields = [
            "id",
            "name",
            "id_masked",
            "id_document_type",
            "id_document_type_display",
            "warnings",
            "legal_basis",
            "decision_ref",
            "decided_on",
            "active",
            "created_at",
            "corrections",
        ]


class BanCreateInputSerializer(serializers.Serializer[Any]):
    id_number = id_number_field(max_length=18, write_only=True)
    id_document_type = serializers.ChoiceField(
        choices=IdDocumentType.choices, required=False, default=IdDocumentType.RESIDENT_ID
    )
    name = serializers.CharField(max_length=50, validators=[validate_plain_text])
    legal_basis = serializers.CharField(max_length=text.LEGAL_BASIS_MAX)
    decision_ref = serializers.CharField(max_length=100)
    decided_on = serializers.DateField()


class BanCorrectInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50, required=False, validators=[validate_plain_text])
    legal_basis = serializers.CharField(max_length=text.LEGAL_BASIS_MAX, required=False)
    decision_ref = serializers.CharField(max_length=100, required=False)
    decided_on = serializers.DateField(required=False)
    active = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=text.REASON_MAX)


class BanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Ban]):
    """List (masked), add, and correct with a mandatory reason. There is no DELETE."""

    permission_classes = [IsHealthReviewer]
    serializer_class = BanOutputSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Ban]:
        return Ban.objects.prefetch_related("corrections__actor")

    @extend_schema(request=BanCreateInputSerializer, responses={201: BanOutputSerializer})
    def create(self, request: Request) -> Response:
        data = BanCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ban = services.create_ban(actor=request.user, **data.validated_data)
        return Response(BanOutputSerializer(ban).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BanCorrectInputSerializer, responses=BanOutputSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        ban = self.get_object()
        data = BanCorrectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        reason = changes.pop("reason")
        ban = services.correct_ban(ban, actor=request.user, changes=changes, reason=reason)
        return Response(BanOutputSerializer(Ban.objects.get(pk=ban.pk)).data)
