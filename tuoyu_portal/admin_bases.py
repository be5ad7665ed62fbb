"""The bases every admin of the portal is built on: scoped querysets, read-only admins and inlines.

Jurisdiction is the first security rule (architecture.md), in the admin as on every other
surface: a staff user who is not a superuser sees only the rows the model's `visible_to(user)`
returns, and any other object answers 404, as if it did not exist. A model without `visible_to`
is support data (audit trail, outbox, users), read by superusers only, unless its admin says how
it is scoped (`scope`, `RegionScopedAdmin`, `ReferenceAdmin`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    # Type-only: accounts' own admin is built on these bases.
    from tuoyu_portal.accounts.models import User


def admin_user(request: HttpRequest) -> User:
    """The user of a request an admin view serves: the admin site lets only signed-in staff in."""
    return cast("User", request.user)


class ScopedAdmin(admin.ModelAdmin):
    """Superusers see every row; other staff the rows `scope` returns for them, nothing else."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user = request.user
        if isinstance(
            user, AnonymousUser
        ):  # the admin signs users in first; nothing for anyone else
            return queryset.none()
        if user.is_superuser:
            return queryset
        return self.scope(queryset, user)

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        """The rows `user` may see: the model's own `visible_to`; none for a model without one."""
        visible_to = getattr(queryset, "visible_to", None)
        return visible_to(user) if visible_to is not None else queryset.none()

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Model:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django's admin would redirect with "does not exist"; out of scope is a plain 404.
            raise Http404(_("未找到，或不在您的管辖范围内。"))
        return obj


class RegionScopedAdmin(ScopedAdmin):
    """For models that belong to a region rather than an institution (counters, schemes): staff
    see their region and everything below it, as `visible_to` does for institutions."""

    region_field = "region"

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        prefix = user.region_prefix if user.is_active and user.is_staff_role else None
        if prefix is None:
            return queryset.none()
        # `<region>__code` is the foreign key column itself: no join to the region table.
        return queryset.filter(**{f"{self.region_field}__code__startswith": prefix})


class ReferenceAdmin(ScopedAdmin):
    """National reference data (the region table and its rules, holidays, checklist versions):
    public, the same for every user; permissions decide who may open or edit it."""

    def scope(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        return queryset


class ReadOnlyAdmin(ScopedAdmin):
    """Rows written only by services or by the system: nothing is added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """History and children shown on their parent, never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
