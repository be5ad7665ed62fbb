"""Request and response shapes of findings (整改) and their follow-up."""

from __future__ import annotations

from rest_framework import serializers

from inspections.models import (
    Finding,
    Severity,
)
from tuoyu_portal import text


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
