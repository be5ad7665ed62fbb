"""Admin: schemes are edited here by administrators; claims and batches are read-only (their
workflow runs through the services, from the officer pages and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from subsidies.models import Claim, ClaimDocument, ClaimLine, ClaimTransition, PaymentBatch, Scheme


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = [
        "region",
        "kind",
        "amount",
        "amount_third_plus",
        "valid_from",
        "valid_to",
        "illustrative",
    ]
    list_filter = ["kind", "illustrative"]
    search_fields = ["region__code", "region__name"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine
    # The encrypted ID and its hash never show; the masked number does.
    fields = [
        "ordinal",
        "classes",
        "places",
        "child_name",
        "child_id_masked",
        "birth_order",
        "months",
    ]
    readonly_fields = fields


class ClaimTransitionInline(ReadOnlyInline):
    model = ClaimTransition
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class ClaimDocumentInline(ReadOnlyInline):
    model = ClaimDocument
    fields = ["original_name", "content_type", "size", "sha256", "created_at"]
    readonly_fields = fields


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "institution",
        "kind",
        "period_start",
        "period_end",
        "amount",
        "status",
        "audit_flagged",
    ]
    list_filter = ["status", "kind", "audit_flagged"]
    search_fields = ["institution__name", "filing__filing_number"]
    list_select_related = ["institution"]
    exclude = ["dedupe_key"]
    inlines = [ClaimLineInline, ClaimDocumentInline, ClaimTransitionInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        # Superusers support every region; anyone else sees their jurisdiction only.
        return qs if request.user.is_superuser else qs.visible_to(request.user)  # type: ignore[arg-type]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "region", "status", "total", "payment_ref", "created_at", "paid_at"]
    list_filter = ["status"]
    search_fields = ["payment_ref"]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.visible_to(request.user)  # type: ignore[arg-type]
