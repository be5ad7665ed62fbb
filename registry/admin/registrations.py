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
from tuoyu_portal.accounts.models import Membership, User
from tuoyu_portal.admin_bases import ReadOnlyAdmin, ReadOnlyInline, ScopedAdmin
from tuoyu_portal.identifier_fields import IdentifierSearchMixin


class RegistrationTransitionInline(ReadOnlyInline):
    model = RegistrationTransition
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "institution"
    raw_id_fields = ["user", "added_by"]


@admin.register(Registration)
class RegistrationAdmin(IdentifierSearchMixin, ReadOnlyAdmin):
    """A workflow model: changes go through the services (registrar pages / API), never here."""

    list_display = ["id", "name", "legal_nature", "region", "authority", "status", "submitted_at"]
    list_filter = ["status", "authority", "legal_nature"]
    list_select_related = ["region"]
    search_fields = ["name", "credit_code"]
    inlines = [RegistrationTransitionInline]
    exclude = ["legal_representative_id_encrypted", "legal_representative_id_hash"]


@admin.register(Institution)
class InstitutionAdmin(IdentifierSearchMixin, ScopedAdmin):
    list_display = ["id", "name", "credit_code", "region", "home_based"]
    list_select_related = ["region"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]
    readonly_fields = ["credit_code"]  # set by approval (or import), keyed on by the push
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["institution", "user", "is_owner", "created_at"]
    list_select_related = ["institution", "user"]
    raw_id_fields = ["institution", "user", "added_by"]
    search_fields = ["institution__name", "user__username"]

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(institution__in=Institution.objects.visible_to(user))


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdmin):
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

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset.filter(uploaded_by=user)  # a registrar's own uploads
