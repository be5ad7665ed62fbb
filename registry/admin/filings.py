"""Admin for filings, their documents and supplement requests (style.md §11).

Workflow fields are read-only: status changes go through the services (the reviewer pages and
the API), never through an admin save. Querysets are scoped with `visible_to` for staff users
who are not superusers (tuoyu_portal.admin_bases).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from registry.models import (
    Filing,
    FilingClass,
    FilingDocument,
    FilingNumberCounter,
    FilingTransition,
    SupplementRequest,
)
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.admin_bases import ReadOnlyInline, RegionScopedAdmin, ScopedAdmin


class FilingClassInline(ReadOnlyInline):
    model = FilingClass
    fields = ("class_type", "children", "carers", "min_age_months")
    readonly_fields = fields


class FilingTransitionInline(ReadOnlyInline):
    model = FilingTransition
    fields = ("created_at", "from_status", "to_status", "actor", "reason", "details")
    readonly_fields = fields


class FilingDocumentInline(ReadOnlyInline):
    model = FilingDocument
    fields = ("kind", "original_name", "size", "sha256", "content_type", "uploaded_at", "locked")
    readonly_fields = fields


WORKFLOW_FIELDS = (
    "status",
    "filing_number",
    "received_at",
    "receipt_due",
    "conformity_due",
    "clocks_provisional",
    "filed_on",
    "receipt_issued_at",
    "conformity_decided_at",
    "nonconformity_reasons",
    "commitment_accepted",
    "commitment_signed_by",
    "commitment_signed_at",
    "person_in_charge_id_masked",
)


@admin.register(Filing)
class FilingAdmin(ScopedAdmin):
    list_display = (
        "id",
        "institution",
        "region",
        "status",
        "filing_number",
        "received_at",
        "receipt_due",
    )
    list_filter = ("status", "clocks_provisional")
    list_select_related = ("institution", "region")
    search_fields = ("institution__name", "filing_number", "registration__credit_code")
    raw_id_fields = ("institution", "registration", "region")
    readonly_fields = (*WORKFLOW_FIELDS, "institution", "registration", "region")
    exclude = ("person_in_charge_id_encrypted", "person_in_charge_id_hash")
    inlines = (FilingClassInline, FilingDocumentInline, FilingTransitionInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # filings are opened by operators through the services

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Inspectors find the institution they visit by name, number or credit code through the
        # visit form's autocomplete, which asks this admin; its pages stay closed to them, and
        # the rows offered are those of their region (ScopedAdmin).
        user = request.user
        match = getattr(request, "resolver_match", None)
        if (
            getattr(match, "url_name", None) == "autocomplete"
            and user.is_active
            and getattr(user, "role", None) == Role.INSPECTOR
        ):
            return True
        return super().has_view_permission(request, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (
            request.GET.get("field_name") == "filing"
            and request.GET.get("app_label") == "inspections"
        ):
            # A visit is logged against an active filing only.
            queryset = (
                queryset.filter(status__in=Filing.PUBLIC_STATUSES)
                .select_related("institution")
                .order_by("institution__name", "id")
            )
        return queryset, may_have_duplicates


@admin.register(FilingDocument)
class FilingDocumentAdmin(ScopedAdmin):
    list_display = ("id", "filing", "kind", "original_name", "size", "locked", "uploaded_at")
    list_filter = ("kind", "locked")
    list_select_related = ("filing", "filing__institution")
    search_fields = ("original_name", "sha256", "filing__filing_number")
    readonly_fields = (
        "filing",
        "kind",
        "original_name",
        "file",
        "size",
        "sha256",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "locked",
        "superseded_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ScopedAdmin):
    list_display = ("id", "filing", "requested_by", "requested_at", "resolved_at")
    # A filing without a number shows its institution: join it, or each row costs a query.
    list_select_related = ("filing__institution", "requested_by")
    readonly_fields = ("filing", "items", "note", "requested_by", "requested_at", "resolved_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FilingNumberCounter)
class FilingNumberCounterAdmin(RegionScopedAdmin):
    list_display = ("region", "year", "last")
    readonly_fields = ("region", "year", "last")

    @admin.display(description=_("说明"))
    def note(self, obj: FilingNumberCounter) -> str:
        return str(_("只读：编号在予以备案时于同一事务中递增。"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
