"""Request and response shapes of the ban register API (/api/v1/bans/)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from registry.models import Ban, BanCorrection
from tuoyu_portal import text
from tuoyu_portal.identifier_fields import id_number_field
from tuoyu_portal.identifiers import IdDocumentType, id_number_warnings
from tuoyu_portal.text import validate_plain_text


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
