"""Request and response shapes of enforcement actions."""

from __future__ import annotations

from rest_framework import serializers

from inspections.models import (
    CorrectionStatus,
    EnforcementAction,
    EnforcementKind,
)


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
