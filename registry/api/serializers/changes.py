"""Request and response shapes of change filings and deregistration."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from registry.models import (
    CareMode,
    ChangeDocument,
    ClassType,
    DocumentKind,
    Filing,
    FilingChange,
    FilingChangeTransition,
)
from registry.services import changes as services
from tuoyu_portal import text
from tuoyu_portal.identifier_fields import id_number_field
from tuoyu_portal.text import validate_plain_text


class ChangeClassSerializer(serializers.Serializer[Any]):
    class_type = serializers.ChoiceField(choices=ClassType.choices)
    children = serializers.IntegerField(min_value=0)
    carers = serializers.IntegerField(min_value=0)


class ChangeProposedSerializer(serializers.Serializer[Any]):
    address = serializers.CharField(
        max_length=200, required=False, validators=[validate_plain_text]
    )
    places = serializers.IntegerField(min_value=1, required=False)
    care_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=CareMode.choices), required=False, allow_empty=False
    )
    classes = ChangeClassSerializer(many=True, required=False)
    person_in_charge_name = serializers.CharField(
        max_length=50, required=False, validators=[validate_plain_text]
    )
    inclusive = serializers.BooleanField(required=False)
    monthly_fee = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True
    )


class FilingChangeTransitionOutputSerializer(serializers.ModelSerializer[FilingChangeTransition]):
    class Meta:
        model = FilingChangeTransition
        fields = ["from_status", "to_status", "note", "created_at"]


class ChangeDocumentOutputSerializer(serializers.ModelSerializer[ChangeDocument]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ChangeDocument
        fields = ["id", "kind", "kind_display", "original_name", "size", "sha256", "uploaded_at"]


class ChangeDocumentInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(max_length=255, allow_empty_file=False)


class FilingChangeOutputSerializer(serializers.ModelSerializer[FilingChange]):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    history = FilingChangeTransitionOutputSerializer(source="transitions", many=True)
    documents = ChangeDocumentOutputSerializer(many=True, read_only=True)
    required_materials = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()

    def get_required_materials(self, obj: FilingChange) -> list[str]:
        return [str(kind) for kind in services.required_change_materials(obj)]

    def get_clocks(self, obj: FilingChange) -> dict[str, Any]:
        # One memo for a page: the calendar is read once, not once per row.
        context = cast(dict[str, Any], self.context)  # contexts here are dicts
        return services.change_clocks(obj, memo=context.setdefault("clock_memo", {}))

    class Meta:
        model = FilingChange
        fields = [
            "id",
            "filing",
            "status",
            "status_display",
            "proposed",
            "person_in_charge_id_masked",
            "reason",
            "supplement_note",
            "decision_note",
            "submitted_at",
            "decided_at",
            "received_at",
            "receipt_due",
            "conformity_due",
            "clocks",
            "required_materials",
            "documents",
            "history",
        ]


class FilingChangeCreateInputSerializer(serializers.Serializer[Any]):
    proposed = ChangeProposedSerializer()
    person_in_charge_id_number = id_number_field(
        max_length=18, required=False, allow_blank=True, write_only=True
    )
    reason = serializers.CharField(
        max_length=text.REASON_MAX, required=False, allow_blank=True, default=""
    )


class FilingChangeUpdateInputSerializer(serializers.Serializer[Any]):
    proposed = ChangeProposedSerializer()
    reason = serializers.CharField(max_length=text.REASON_MAX, required=False, allow_blank=True)


class NoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=text.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=text.REASON_MAX)


class PlacementSerializer(serializers.Serializer[Any]):
    receiving_institution = serializers.CharField(max_length=100)
    children = serializers.IntegerField(min_value=1)


class DeregisterInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=text.REASON_MAX)
    placement_confirmed = serializers.BooleanField(required=False, default=False)
    # Where the children went (operator: required, [] when none were enrolled).
    placements = PlacementSerializer(many=True, required=False, allow_null=True, default=None)
    # The bureau's own deregistration is a decision: its legal ground and reference.
    legal_basis = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    decision_ref = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class FilingDeregisterOutputSerializer(serializers.ModelSerializer[Filing]):
    class Meta:
        model = Filing
        fields = ["id", "filing_number", "status"]
