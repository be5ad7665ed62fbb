"""Request and response shapes of payment batches."""

from __future__ import annotations

from rest_framework import serializers

from subsidies.models import (
    Claim,
    PaymentBatch,
)
from tuoyu_portal.accounts.models import User


class PaymentBatchCreateInputSerializer(serializers.Serializer):
    claims = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1)


class PaymentBatchMarkPaidInputSerializer(serializers.Serializer):
    payment_ref = serializers.CharField(max_length=64)


class PaymentBatchOutputSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    claims: serializers.PrimaryKeyRelatedField[Claim] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    created_by: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = PaymentBatch
        fields = [
            "id",
            "region",
            "status",
            "status_display",
            "total",
            "claims",
            "created_by",
            "created_at",
            "paid_at",
            "payment_ref",
        ]
        read_only_fields = fields
