"""Request and response shapes of subsidy claims (api.md "Subsidies"): input → service → output."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry.models import Filing
from subsidies.amounts import format_month, parse_month
from subsidies.models import (
    Claim,
    ClaimDocument,
    ClaimLine,
    ClaimTransition,
    Scheme,
    SchemeKind,
)
from subsidies.services.claims import LineInput
from tuoyu_portal.accounts.models import User
from tuoyu_portal.identifier_fields import ID_NUMBER_MESSAGE, IdentifierField
from tuoyu_portal.text import validate_plain_text


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-\d{2}$", "maxLength": 7, "example": "2026-05"}
)
class MonthField(serializers.Field):
    """A month as `YYYY-MM` (stored as its first day)."""

    default_error_messages = {"invalid": _("月份格式应为 YYYY-MM。")}

    def to_internal_value(self, data: Any) -> date:
        try:
            return parse_month(str(data))
        except (ValueError, TypeError):
            self.fail("invalid")

    def to_representation(self, value: date) -> str:
        return format_month(value)


class ClaimLineInputSerializer(serializers.Serializer):
    classes = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    places = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    child_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, validators=[validate_plain_text]
    )
    # This endpoint's own rule code for a child's ID (the claim lines say `invalid_id_number`).
    child_id_number = IdentifierField(
        rule_code="invalid_id_number",
        message=ID_NUMBER_MESSAGE,
        max_length=24,
        required=False,
        allow_blank=True,
        write_only=True,
    )
    birth_order = serializers.IntegerField(required=False, allow_null=True)
    months = serializers.ListField(child=MonthField(), required=False)
    # a phone number or e-mail for the attendance link; never read back.
    parent_contact = serializers.CharField(
        max_length=254, required=False, allow_blank=True, write_only=True
    )

    def to_line(self, data: dict[str, Any]) -> LineInput:
        return LineInput(
            classes=data.get("classes"),
            places=data.get("places"),
            child_name=data.get("child_name", ""),
            child_id_number=data.get("child_id_number", ""),
            birth_order=data.get("birth_order"),
            months=tuple(data.get("months", [])),
            parent_contact=data.get("parent_contact", ""),
        )


class ClaimInputSerializer(serializers.Serializer):
    """Create (all fields) or PATCH (any subset) a claim; lines replace the previous lines."""

    filing = serializers.PrimaryKeyRelatedField(queryset=Filing.objects.none())
    scheme = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.all())
    period_start = MonthField()
    period_end = MonthField()
    lines = ClaimLineInputSerializer(many=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only filings the caller may see can be named: others read as "does not exist".
            self.fields["filing"].queryset = Filing.objects.visible_to(request.user)  # type: ignore[attr-defined]  # declared above as PrimaryKeyRelatedField

    def lines_input(self) -> list[LineInput]:
        child = ClaimLineInputSerializer()
        return [child.to_line(line) for line in self.validated_data.get("lines", [])]


class _BlankAsNullChoice(serializers.ChoiceField):
    """null where the region does not ask parents to confirm (stored as "")."""

    def to_representation(self, value: Any) -> Any:
        return value or None


class ClaimLineOutputSerializer(serializers.ModelSerializer):
    # A line shows only the fields of its claim's kind (LINE_FIELDS): none is always present.
    months = serializers.ListField(child=MonthField(), required=False)
    # Only on family-fee lines (LINE_FIELDS), so not a required property of every line.
    confirmation_status = _BlankAsNullChoice(
        choices=["pending", "confirmed", "disputed"], allow_null=True, required=False
    )

    class Meta:
        model = ClaimLine
        fields = [
            "classes",
            "places",
            "child_name",
            "child_id_masked",
            "birth_order",
            "months",
            "confirmation_status",
        ]
        extra_kwargs = {name: {"required": False} for name in fields}


class ClaimTransitionOutputSerializer(serializers.ModelSerializer):
    actor: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = ClaimTransition
        fields = ["from_status", "to_status", "actor", "reason", "details", "created_at"]


class ClaimDocumentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimDocument
        fields = ["id", "original_name", "content_type", "size", "sha256", "created_at"]


class ClaimBreakdownItemSerializer(serializers.Serializer):
    month = serializers.CharField()
    description = serializers.CharField()
    units = serializers.IntegerField()
    unit_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    scheme = serializers.IntegerField()


LINE_FIELDS: dict[str, tuple[str, ...]] = {
    SchemeKind.STARTUP: ("classes",),
    SchemeKind.PLACE_OPERATION: ("places",),
    SchemeKind.FAMILY_FEE: (
        "child_name",
        "child_id_masked",
        "birth_order",
        "months",
        "confirmation_status",
    ),
    SchemeKind.DEMONSTRATION_AWARD: (),
}


class ClaimOutputSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    period_start = MonthField()
    period_end = MonthField()
    lines = serializers.SerializerMethodField()
    breakdown = ClaimBreakdownItemSerializer(many=True, read_only=True)
    history = ClaimTransitionOutputSerializer(source="transitions", many=True, read_only=True)
    documents = ClaimDocumentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "filing",
            "institution",
            "institution_name",
            "region",
            "scheme",
            "kind",
            "kind_display",
            "period_start",
            "period_end",
            "lines",
            "amount",
            "breakdown",
            "status",
            "status_display",
            "audit_flagged",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "batch",
            "paid_at",
            "documents",
            "history",
        ]
        read_only_fields = fields

    @extend_schema_field(ClaimLineOutputSerializer(many=True))
    def get_lines(self, claim: Claim) -> list[dict[str, Any]]:
        """Only the keys api.md names for the claim's kind."""
        keep = LINE_FIELDS[claim.kind]
        return [
            {k: v for k, v in ClaimLineOutputSerializer(line).data.items() if k in keep}
            for line in claim.lines.all()
        ]


class ClaimReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class ClaimApproveInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ClaimDocumentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
