"""Admin for the roster, ban register and change filings: masked IDs, no deletes of bans, each
scoped like its pages (the ban register is national, read by health reviewers)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from registry.models import (
    Ban,
    BanAlert,
    BanCorrection,
    FilingChange,
    FilingChangeTransition,
    FilingVersion,
    StaffMember,
)
from tuoyu_portal.admin_bases import ReadOnlyInline, ScopedAdmin


@admin.register(StaffMember)
class StaffMemberAdmin(ScopedAdmin):
    list_display = (
        "name",
        "id_masked",
        "role",
        "institution",
        "health_certificate_expires",
        "active",
    )
    list_filter = ("role", "active")
    list_select_related = ("institution",)
    search_fields = ("name", "institution__name")
    # Only the masked ID is ever shown; encrypted value and hash stay out of the form.
    fields = (
        "institution",
        "name",
        "id_masked",
        "role",
        "health_certificate_expires",
        "background_check_date",
        "qualifications",
        "active",
        "started_on",
        "left_on",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # additions go through add_staff_member (ban and employer checks)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BanCorrectionInline(ReadOnlyInline):
    model = BanCorrection
    fields = ("created_at", "actor", "changes", "reason")
    readonly_fields = fields


@admin.register(Ban)
class BanAdmin(ScopedAdmin):
    list_display = ("name", "id_masked", "decision_ref", "decided_on", "active")
    list_filter = ("active",)
    search_fields = ("name", "decision_ref")
    fields = ("name", "id_masked", "legal_basis", "decision_ref", "decided_on", "active")
    readonly_fields = fields
    inlines = [BanCorrectionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # through the ban register page / API, which audit every change

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # bans are never deleted; lifting is an audited correction


@admin.register(BanAlert)
class BanAlertAdmin(ScopedAdmin):
    list_display = (
        "created_at",
        "ban",
        "kind",
        "person_role",
        "institution",
        "region",
        "attempted_by",
        "seen",
    )
    list_select_related = ("ban", "institution", "region", "attempted_by")
    readonly_fields = (
        "ban",
        "kind",
        "person_role",
        "institution",
        "region",
        "attempted_by",
        "created_at",
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FilingChangeTransitionInline(ReadOnlyInline):
    model = FilingChangeTransition
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


@admin.register(FilingChange)
class FilingChangeAdmin(ScopedAdmin):
    list_display = ("filing", "status", "submitted_at", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("filing",)
    readonly_fields = (
        "filing",
        "status",
        "proposed",
        "person_in_charge_id_masked",
        "reason",
        "supplement_note",
        "decision_note",
        "submitted_at",
        "decided_at",
    )
    exclude = (
        "person_in_charge_id_encrypted",
        "person_in_charge_id_hash",
        "created_by",
        "decided_by",
    )
    inlines = [FilingChangeTransitionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FilingVersion)
class FilingVersionAdmin(ScopedAdmin):
    list_display = ("filing", "number", "created_at")
    raw_id_fields = ("filing",)
    readonly_fields = ("filing", "number", "facts", "change", "reason", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
