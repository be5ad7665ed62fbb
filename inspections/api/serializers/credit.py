"""Response shape of credit records."""

from __future__ import annotations

from rest_framework import serializers

from inspections.models import (
    CreditRecord,
)


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
