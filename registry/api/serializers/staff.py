"""Request and response shapes of the staff roster under a filing (IDs masked on read)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from registry.models import StaffMember
from tuoyu_portal import text
from tuoyu_portal.identifier_fields import id_number_field
from tuoyu_portal.identifiers import IdDocumentType, id_number_warnings
from tuoyu_portal.text import validate_plain_text


class StaffMemberOutputSerializer(serializers.ModelSerializer[StaffMember]):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    id_document_type_display = serializers.CharField(
        source="get_id_document_type_display", read_only=True
    )
    # Non-blocking findings about the ID (e.g. an address code missing from the region table).
    warnings = serializers.SerializerMethodField()

    def get_warnings(self, obj: StaffMember) -> list[dict[str, str | None]]:
        return [
            v.as_dict()
            for v in id_number_warnings(obj.id_masked, document_type=obj.id_document_type)
        ]

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "id_masked",
            "id_document_type",
            "id_document_type_display",
            "warnings",
            "role",
            "role_display",
            "health_certificate_expires",
            "background_check_date",
            "qualifications",
            "active",
            "started_on",
            "left_on",
        ]


class StaffMemberCreateInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50, validators=[validate_plain_text])
    id_number = id_number_field(max_length=18, write_only=True)
    id_document_type = serializers.ChoiceField(
        choices=IdDocumentType.choices, required=False, default=IdDocumentType.RESIDENT_ID
    )
    role = serializers.ChoiceField(choices=StaffMember.Role.choices)
    health_certificate_expires = serializers.DateField(required=False, allow_null=True)
    background_check_date = serializers.DateField(required=False, allow_null=True)
    qualifications = serializers.CharField(
        max_length=text.REASON_MAX, required=False, allow_blank=True, default=""
    )
    started_on = serializers.DateField(required=False, allow_null=True)


class StaffMemberUpdateInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50, required=False, validators=[validate_plain_text])
    role = serializers.ChoiceField(choices=StaffMember.Role.choices, required=False)
    health_certificate_expires = serializers.DateField(required=False, allow_null=True)
    background_check_date = serializers.DateField(required=False, allow_null=True)
    qualifications = serializers.CharField(
        max_length=text.REASON_MAX, required=False, allow_blank=True
    )
    started_on = serializers.DateField(required=False, allow_null=True)
