"""Admin: schemes are edited here by administrators; claims and batches are read-only (their
workflow runs through the services, from the officer pages and the API). Each is scoped to the
user's jurisdiction (tuoyu_portal.admin_bases)."""

from __future__ import annotations

from django.contrib import admin

from subsidies.models import Claim, ClaimDocument, ClaimLine, ClaimTransition, PaymentBatch, Scheme
from tuoyu_portal.admin_bases import ReadOnlyAdmin, ReadOnlyInline, RegionScopedAdmin


@admin.register(Scheme)
class SchemeAdmin(RegionScopedAdmin):
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


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine
    # The encrypted ID and its hash never show; the masked number does.
    fields = (
        "ordinal",
        "classes",
        "places",
        "child_name",
        "child_id_masked",
        "birth_order",
        "months",
    )
    readonly_fields = fields


class ClaimTransitionInline(ReadOnlyInline):
    model = ClaimTransition
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields


class ClaimDocumentInline(ReadOnlyInline):
    model = ClaimDocument
    fields = ("original_name", "content_type", "size", "sha256", "created_at")
    readonly_fields = fields


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


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "region", "status", "total", "payment_ref", "created_at", "paid_at"]
    list_filter = ["status"]
    search_fields = ["payment_ref"]
