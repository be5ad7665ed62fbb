"""Response shape of subsidy schemes."""

from __future__ import annotations

from rest_framework import serializers

from subsidies.models import (
    Scheme,
)


class SchemeOutputSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "region",
            "kind",
            "kind_display",
            "amount",
            "amount_third_plus",
            "valid_from",
            "valid_to",
            "basis",
            "illustrative",
        ]
        read_only_fields = fields
