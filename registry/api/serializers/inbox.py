"""Response shape of the health inbox (/api/v1/health-inbox/)."""

from __future__ import annotations

from rest_framework import serializers

from registry.models import FilingStatus, HealthInboxEntry


class HealthInboxEntrySerializer(serializers.ModelSerializer):
    # api.md: `registration` is the registration id (the sender's id when pushed from elsewhere).
    registration = serializers.IntegerField(source="registration_ref", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    event_display = serializers.CharField(source="get_event_display", read_only=True)
    has_filing = serializers.BooleanField(read_only=True)
    # api.md 1.1: null when there is no filing, `draft` while only a draft exists.
    filing_status = serializers.ChoiceField(
        choices=FilingStatus.choices, read_only=True, allow_null=True
    )
    filing_status_display = serializers.CharField(read_only=True, allow_null=True)
    days_since_approval = serializers.IntegerField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)
    overdue_after_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = HealthInboxEntry
        fields = [
            "id",
            "registration",
            "credit_code",
            "name",
            "event",
            "event_display",
            "received_at",
            "has_filing",
            "filing_status",
            "filing_status_display",
            "days_since_approval",
            "overdue",
            "overdue_after_days",
            "region",
            "approved_on",
            "address",
            "legal_representative_name",
            "authority",
        ]
        read_only_fields = fields
