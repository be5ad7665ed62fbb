"""Input and output serializers of the inspections API (api.md "Inspections and findings")."""

from __future__ import annotations

from rest_framework import serializers

from registry.models import ClassType
from tuoyu_portal import text
from tuoyu_portal.accounts.models import Department

from ..models import (
    Complaint,
    ComplaintStatus,
    CorrectionStatus,
    CreditRecord,
    EnforcementAction,
    EnforcementKind,
    Finding,
    Inspection,
    InspectionKind,
    QualityGrade,
    Severity,
)


class ObservedClassSerializer(serializers.Serializer):
    class_type = serializers.ChoiceField(choices=ClassType.choices)
    children = serializers.IntegerField(min_value=0)
    carers = serializers.IntegerField(min_value=0)


class InspectionInputSerializer(serializers.Serializer):
    filing = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    visited_on = serializers.DateField()
    departments = serializers.ListField(
        child=serializers.ChoiceField(choices=Department.choices), required=False, default=list
    )
    notes = serializers.CharField(
        max_length=text.RECORD_MAX, required=False, allow_blank=True, default=""
    )
    observed_classes = ObservedClassSerializer(many=True, required=False, default=list)
    checklist_template = serializers.IntegerField(required=False, allow_null=True, default=None)
    checklist_answers = serializers.DictField(required=False, default=dict)


class InspectionOutputSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    findings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    observed_classes = ObservedClassSerializer(many=True, read_only=True)
    standards_check = serializers.ListField(child=serializers.DictField(), read_only=True)
    # "" until graded: the schema must allow the blank as well as A–D.
    quality_grade = serializers.ChoiceField(
        choices=QualityGrade.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "filing",
            "institution",
            "region",
            "kind",
            "kind_display",
            "visited_on",
            "departments",
            "notes",
            "observed_classes",
            "standards_check",
            "over_capacity",
            "checklist_template",
            "checklist_answers",
            "quality_score",
            "quality_grade",
            "follow_up_of",
            "published",
            "findings",
            "created_at",
        ]
        read_only_fields = fields


class FindingInputSerializer(serializers.Serializer):
    inspection = serializers.IntegerField()
    rule = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField(max_length=text.NOTE_MAX)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    technical_advice = serializers.BooleanField(required=False, default=False)
    published = serializers.BooleanField(required=False, default=True)


class FindingOutputSerializer(serializers.ModelSerializer):
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "institution",
            "rule",
            "severity",
            "severity_display",
            "description",
            "deadline",
            "status",
            "status_display",
            "overdue",
            "technical_advice",
            "published",
            "escalated_at",
            "verified_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Finding) -> bool:
        return obj.is_overdue(self.context["today"])


class FindingRectifyInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=text.NOTE_MAX)
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class FindingFollowUpInputSerializer(serializers.Serializer):
    visited_on = serializers.DateField()


class FindingVerifyInputSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    note = serializers.CharField(
        max_length=text.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class ComplaintOutputSerializer(serializers.ModelSerializer):
    """For the county reviewer: includes the (decrypted) contact; never used for operators."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    contact = serializers.SerializerMethodField()
    facility = serializers.CharField(source="filing.filing_number", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "tracking_code",
            "filing",
            "facility",
            "institution",
            "content",
            "anonymous",
            "contact",
            "status",
            "status_display",
            "due_on",
            "inspection",
            "outcome",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_contact(self, obj: Complaint) -> str:
        from ..services.complaints import complaint_contact

        return complaint_contact(obj)


class ComplaintTriageInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    outcome = serializers.CharField(
        max_length=text.NOTE_MAX, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=text.NOTE_MAX, required=False, allow_blank=True, default=""
    )
    inspection = serializers.IntegerField(required=False, allow_null=True, default=None)


class PublicComplaintInputSerializer(serializers.Serializer):
    facility = serializers.CharField(max_length=32)
    content = serializers.CharField(max_length=5000)
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PublicComplaintCreatedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()


class PublicComplaintStatusSerializer(serializers.ModelSerializer):
    """What the complainant may read back: never the contact, never the content's author."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    facility = serializers.CharField(source="filing.filing_number", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "tracking_code",
            "facility",
            "status",
            "status_display",
            "due_on",
            "outcome",
            "created_at",
        ]
        read_only_fields = fields


class EnforcementInputSerializer(serializers.Serializer):
    filing = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EnforcementKind.choices)
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
    )
    legal_basis = serializers.CharField(max_length=200)
    decision_ref = serializers.CharField(max_length=100)
    decided_on = serializers.DateField()
    in_force_until = serializers.DateField(required=False, allow_null=True, default=None)
    finding = serializers.IntegerField(required=False, allow_null=True, default=None)
    published = serializers.BooleanField(required=False, default=True)


class EnforcementOutputSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementAction
        fields = [
            "id",
            "institution",
            "filing",
            "finding",
            "kind",
            "kind_display",
            "amount",
            "legal_basis",
            "decision_ref",
            "decided_on",
            "in_force_until",
            "in_force",
            "lifted_at",
            "correction_status",
            "operator_reply",
            "published",
        ]
        read_only_fields = fields

    def get_in_force(self, obj: EnforcementAction) -> bool:
        return obj.is_in_force(self.context["today"])


class EnforcementReplyInputSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=2000)


class EnforcementCorrectionInputSerializer(serializers.Serializer):
    correction_status = serializers.ChoiceField(choices=CorrectionStatus.choices)
    lift = serializers.BooleanField(required=False, default=False)


class RiskReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    points = serializers.FloatField()


class InspectionDueSerializer(serializers.Serializer):
    filing = serializers.IntegerField(source="filing_id")
    score = serializers.DecimalField(max_digits=10, decimal_places=2)
    due_on = serializers.DateField()
    last_visit = serializers.DateField(allow_null=True)
    reasons = RiskReasonSerializer(many=True)


class CreditRecordOutputSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "institution",
            "person_name",
            "region",
            "source",
            "source_display",
            "source_id",
            "rule_key",
            "points",
            "reason",
            "created_at",
        ]
        read_only_fields = fields
