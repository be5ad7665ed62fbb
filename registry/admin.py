"""Admin of the registry app: a support tool, scoped by `visible_to` like every other surface.

Registrations are workflow models: only services write them (style.md §4), so their admin is
read-only with the history as a read-only inline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from registry.models import ImportBatch, Institution, Registration, RegistrationTransition
from tuoyu_portal.accounts.models import Membership
from tuoyu_portal.identifier_fields import IdentifierSearchMixin


class ScopedAdmin(admin.ModelAdmin):
    """Superusers see everything; other staff only their jurisdiction."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if hasattr(qs, "visible_to"):
            return qs.visible_to(request.user)
        return qs.none()


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RegistrationTransitionInline(ReadOnlyInline):
    model = RegistrationTransition
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "institution"
    raw_id_fields = ["user", "added_by"]


@admin.register(Registration)
class RegistrationAdmin(IdentifierSearchMixin, ScopedAdmin):
    list_display = ["id", "name", "legal_nature", "region", "authority", "status", "submitted_at"]
    list_filter = ["status", "authority", "legal_nature"]
    list_select_related = ["region"]
    search_fields = ["name", "credit_code"]
    inlines = [RegistrationTransitionInline]
    exclude = ["legal_representative_id_encrypted", "legal_representative_id_hash"]

    # Workflow model: changes go through the services (registrar pages / API), never the admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Institution)
class InstitutionAdmin(IdentifierSearchMixin, ScopedAdmin):
    list_display = ["id", "name", "credit_code", "region", "home_based"]
    list_select_related = ["region"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]
    readonly_fields = ["credit_code"]  # set by approval (or import), keyed on by the push
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["institution", "user", "is_owner", "created_at"]
    list_select_related = ["institution", "user"]
    raw_id_fields = ["institution", "user", "added_by"]
    search_fields = ["institution__name", "user__username"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(institution__in=Institution.objects.visible_to(request.user))


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "file_name",
        "uploaded_by",
        "created_at",
        "total_rows",
        "approved_count",
        "skipped_count",
        "error_count",
    ]
    list_select_related = ["uploaded_by"]
    search_fields = ["file_name", "sha256"]

    @admin.display(description=_("错误报告"))
    def report_lines(self, obj: ImportBatch) -> int:
        return max(obj.error_report.count("\n") - 1, 0)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ImportBatch._meta.fields] + ["report_lines"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(uploaded_by=request.user)


# Each feature keeps its admin in its own module: filings, documents and supplement requests;
# health inbox and reconciliation; staff, bans, changes.
from . import admin_filings, admin_inbox, admin_staffpub  # noqa: E402, F401
