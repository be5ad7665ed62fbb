"""Request and response shapes of registrations, institutions and bulk imports."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry.models import (
    CareMode,
    ImportBatch,
    Institution,
    LegalNature,
    Registration,
    RegistrationTransition,
)
from registry.services import registrations as services
from tuoyu_portal import text
from tuoyu_portal.accounts.models import Membership
from tuoyu_portal.identifier_fields import credit_code_field, id_number_field
from tuoyu_portal.text import validate_plain_text


class RegistrationTransitionOutputSerializer(serializers.ModelSerializer[RegistrationTransition]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RegistrationTransition
        fields = ["from_status", "to_status", "actor", "reason", "created_at"]

    def get_actor(self, obj: RegistrationTransition) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class RuleMessageSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class RegistrationOutputSerializer(serializers.ModelSerializer[Registration]):
    region = serializers.CharField(source="region_id")
    legal_nature_display = serializers.CharField(source="get_legal_nature_display")
    authority_display = serializers.CharField(source="get_authority_display")
    status_display = serializers.CharField(source="get_status_display")
    history = RegistrationTransitionOutputSerializer(source="transitions", many=True)
    next_step = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "institution",
            "name",
            "legal_nature",
            "legal_nature_display",
            "care_modes",
            "business_scope",
            "region",
            "address",
            "legal_representative_name",
            "legal_representative_id_masked",
            "contact_phone",
            "credit_code",
            "authority",
            "authority_display",
            "status",
            "status_display",
            "submitted_at",
            "decided_at",
            "approved_on",
            "history",
            "next_step",
            "warnings",
        ]
        read_only_fields = fields

    def get_next_step(self, obj: Registration) -> str:
        request = self.context.get("request")
        return services.next_step(obj, getattr(request, "user", None))

    @extend_schema_field(RuleMessageSerializer(many=True))
    def get_warnings(self, obj: Registration) -> list[dict[str, str | None]]:
        return [v.as_dict() for v in services.registration_warnings(obj)]


class MembershipOutputSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.__str__")

    class Meta:
        model = Membership
        fields = ["id", "username", "display_name", "is_owner", "created_at"]


class InstitutionOutputSerializer(serializers.ModelSerializer[Institution]):
    region = serializers.CharField(source="region_id")
    memberships = MembershipOutputSerializer(many=True)

    class Meta:
        model = Institution
        fields = ["id", "name", "credit_code", "region", "address", "home_based", "memberships"]


class RegistrationInputSerializer(serializers.Serializer[Any]):
    """The operator's fields. Rule checks (names, scope, codes, region) live in the service so
    that forms, API and the bulk import share them; this only checks shapes."""

    institution = serializers.IntegerField(
        required=False, help_text="An institution the operator already belongs to (optional)."
    )
    name = serializers.CharField(max_length=100, validators=[validate_plain_text])
    legal_nature = serializers.ChoiceField(choices=LegalNature.choices)
    care_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=CareMode.choices), allow_empty=False
    )
    business_scope = serializers.CharField(max_length=text.BUSINESS_SCOPE_MAX)
    region = serializers.CharField(max_length=6, help_text="County code (GB/T 2260).")
    address = serializers.CharField(max_length=200, validators=[validate_plain_text])
    legal_representative_name = serializers.CharField(
        max_length=50, validators=[validate_plain_text]
    )
    legal_representative_id_number = id_number_field(max_length=18, write_only=True)
    contact_phone = serializers.CharField(max_length=20)
    credit_code = credit_code_field(max_length=18, required=False, allow_blank=True)


class RegistrationReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class RegistrationApproveInputSerializer(serializers.Serializer[Any]):
    credit_code = credit_code_field(max_length=18, required=False, allow_blank=True)


class MemberAddInputSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)


class ImportBatchOutputSerializer(serializers.ModelSerializer[ImportBatch]):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    region = serializers.CharField(source="region_id", allow_null=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "file_name",
            "sha256",
            "uploaded_by",
            "authority",
            "region",
            "created_at",
            "total_rows",
            "approved_count",
            "skipped_count",
            "error_count",
        ]


class ImportBatchInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX with the Chinese column headers.")
