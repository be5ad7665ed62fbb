"""Request and response shapes of inspection visits, the due list and risk reasons."""

from __future__ import annotations

from rest_framework import serializers

from inspections.models import (
    Finding,
    Inspection,
    InspectionKind,
    QualityGrade,
)
from registry.models import ClassType
from tuoyu_portal import text
from tuoyu_portal.accounts.models import Department


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
    findings: serializers.PrimaryKeyRelatedField[Finding] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
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


class RiskReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    count = serializers.IntegerField()
    points = serializers.FloatField()


class InspectionDueSerializer(serializers.Serializer):
    filing = serializers.IntegerField(source="filing_id")
    score = serializers.DecimalField(max_digits=10, decimal_places=2)
    due_on = serializers.DateField()
    last_visit = serializers.DateField(allow_null=True)
    reasons = RiskReasonSerializer(many=True)
