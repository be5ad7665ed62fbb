"""Request and response shapes of /api/v1/filings/ (api.md "Filings")."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from registry.models import (
    CareMode,
    ClassType,
    DocumentKind,
    Filing,
    FilingDocument,
    Meals,
    SiteTenure,
    SupplementRequest,
)
from registry.selectors import filings as filing_selectors
from registry.services import filings as svc
from tuoyu_portal.identifier_fields import id_number_field
from tuoyu_portal.text import validate_plain_text


class FilingClassSerializer(serializers.Serializer):
    class_type = serializers.ChoiceField(choices=ClassType.choices)
    children = serializers.IntegerField(min_value=0, max_value=1000)
    carers = serializers.IntegerField(min_value=0, max_value=1000)
    min_age_months = serializers.IntegerField(
        min_value=0, max_value=36, required=False, allow_null=True
    )


class FilingStaffSerializer(serializers.Serializer):
    caregivers = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    health_workers = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    security_guards = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    cooks = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    managers = serializers.IntegerField(min_value=0, max_value=10000, required=False)


def _area() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class FilingDraftInputSerializer(serializers.Serializer):
    """The 备案书 fields an operator may save (all optional: autosave takes partial data)."""

    person_in_charge_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, validators=[validate_plain_text]
    )
    person_in_charge_id_number = id_number_field(
        max_length=18, required=False, allow_blank=True, write_only=True
    )
    care_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=CareMode.choices), required=False
    )
    places = serializers.IntegerField(min_value=0, max_value=10000, required=False, allow_null=True)
    classes = FilingClassSerializer(many=True, required=False)
    staff = FilingStaffSerializer(required=False)
    building_area_m2 = _area()
    indoor_area_m2 = _area()
    outdoor_area_m2 = _area()
    children_floor = serializers.IntegerField(
        min_value=-5, max_value=100, required=False, allow_null=True
    )
    site_tenure = serializers.ChoiceField(
        choices=SiteTenure.choices, required=False, allow_blank=True
    )
    lease_end = serializers.DateField(required=False, allow_null=True)
    meals = serializers.ChoiceField(choices=Meals.choices, required=False)
    inclusive = serializers.BooleanField(required=False)
    monthly_fee = _area()
    commitment_accepted = serializers.BooleanField(required=False)


class FilingCreateInputSerializer(FilingDraftInputSerializer):
    registration = serializers.IntegerField()


class FilingDocumentOutputSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    superseded = serializers.SerializerMethodField()

    class Meta:
        model = FilingDocument
        fields = [
            "id",
            "kind",
            "kind_display",
            "original_name",
            "size",
            "sha256",
            "content_type",
            "uploaded_at",
            "locked",
            "superseded",
        ]

    def get_superseded(self, obj: FilingDocument) -> bool:
        return obj.superseded_by_id is not None


class StandardsCheckItemSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class HistoryItemSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    details = serializers.DictField()
    created_at = serializers.DateTimeField()


class ClocksSerializer(serializers.Serializer):
    received_on = serializers.DateField(allow_null=True)
    receipt_due = serializers.DateField(allow_null=True)
    conformity_due = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField()
    receipt_running = serializers.BooleanField()
    conformity_running = serializers.BooleanField()
    receipt_days_left = serializers.IntegerField(allow_null=True)
    conformity_days_left = serializers.IntegerField(allow_null=True)
    receipt_overdue = serializers.BooleanField()
    receipt_days_overdue = serializers.IntegerField()
    conformity_overdue = serializers.BooleanField()


class SupplementItemSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SupplementRequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    items = SupplementItemSerializer(many=True)
    note = serializers.CharField()
    requested_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class ReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    missing_materials = serializers.ListField(child=serializers.DictField())
    present_materials = serializers.ListField(child=serializers.DictField())
    problems = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.DictField())
    satisfied_rules = serializers.ListField(child=serializers.DictField())


class FilingListOutputSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    institution_name = serializers.CharField(source="institution.name")
    clocks = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id",
            "registration",
            "institution",
            "institution_name",
            "region",
            "status",
            "status_display",
            "filing_number",
            "places",
            "care_modes",
            "received_at",
            "receipt_due",
            "conformity_due",
            "filed_on",
            "clocks",
        ]

    @extend_schema_field(ClocksSerializer)
    def get_clocks(self, obj: Filing) -> dict[str, Any]:
        context = cast(dict[str, Any], self.context)  # contexts here are dicts
        return filing_selectors.clocks(obj, memo=context.setdefault("clock_memo", {}))


class FilingOutputSerializer(FilingListOutputSerializer):
    credit_code = serializers.CharField(source="registration.credit_code")
    person_in_charge_id_masked = serializers.CharField()
    classes = serializers.SerializerMethodField()
    staff = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    standards_check = serializers.SerializerMethodField()
    readiness = serializers.SerializerMethodField()
    supplement_request = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            *FilingListOutputSerializer.Meta.fields,
            "credit_code",
            "person_in_charge_name",
            "person_in_charge_id_masked",
            "classes",
            "staff",
            "building_area_m2",
            "indoor_area_m2",
            "outdoor_area_m2",
            "children_floor",
            "site_tenure",
            "lease_end",
            "meals",
            "inclusive",
            "monthly_fee",
            "commitment_accepted",
            "commitment_signed_by",
            "commitment_signed_at",
            "clocks_provisional",
            "receipt_issued_at",
            "conformity_decided_at",
            "nonconformity_reasons",
            "closing_due",
            "documents",
            "standards_check",
            "readiness",
            "supplement_request",
            "history",
        ]

    @extend_schema_field(FilingClassSerializer(many=True))
    def get_classes(self, obj: Filing) -> list[dict[str, Any]]:
        return [
            {
                "class_type": c.class_type,
                "children": c.children,
                "carers": c.carers,
                "min_age_months": c.min_age_months,
            }
            for c in obj.classes.all()
        ]

    @extend_schema_field(FilingStaffSerializer)
    def get_staff(self, obj: Filing) -> dict[str, int]:
        return {key: getattr(obj, column) for key, column in svc.STAFF_FIELDS.items()}

    @extend_schema_field(FilingDocumentOutputSerializer(many=True))
    def get_documents(self, obj: Filing) -> list[dict[str, Any]]:
        rows = FilingDocumentOutputSerializer(obj.documents.all(), many=True).data
        return cast(list[dict[str, Any]], rows)  # many=True builds a ListSerializer

    @extend_schema_field(StandardsCheckItemSerializer(many=True))
    def get_standards_check(self, obj: Filing) -> list[dict[str, Any]]:
        return [v.as_dict() for v in filing_selectors.standards_check(obj)]

    # null once the filing has left the editable statuses (the schema said not).
    @extend_schema_field(ReadinessSerializer(allow_null=True))
    def get_readiness(self, obj: Filing) -> dict[str, Any] | None:
        if obj.status not in Filing.EDITABLE:
            return None
        return filing_selectors.readiness(obj).as_dict()

    @extend_schema_field(SupplementRequestOutputSerializer(allow_null=True))
    def get_supplement_request(self, obj: Filing) -> dict[str, Any] | None:
        latest = SupplementRequest.objects.filter(filing=obj).order_by("-id").first()
        return latest.as_dict() if latest else None

    @extend_schema_field(HistoryItemSerializer(many=True))
    def get_history(self, obj: Filing) -> list[dict[str, Any]]:
        return [
            {
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor": str(t.actor) if t.actor else None,
                "reason": t.reason,
                "details": t.details,
                "created_at": t.created_at,
            }
            for t in obj.transitions.select_related("actor")
        ]


class FilingSupplementInputSerializer(serializers.Serializer):
    items = SupplementItemSerializer(many=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FilingNonconformingInputSerializer(serializers.Serializer):
    reasons = serializers.ListField(child=serializers.CharField(max_length=500), allow_empty=False)


class FilingConformingInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FilingDocumentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(max_length=255, allow_empty_file=False)
