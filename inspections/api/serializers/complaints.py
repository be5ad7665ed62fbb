"""Request and response shapes of complaints, public and triaged."""

from __future__ import annotations

from rest_framework import serializers

from inspections.models import (
    Complaint,
    ComplaintStatus,
)
from tuoyu_portal import text


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
        from inspections.services.complaints import complaint_contact

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
