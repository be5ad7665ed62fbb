from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.admin_bases import ScopedAdmin

from .models import User


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    """Accounts are managed by superusers; scoped so that no other staff user lists them."""

    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "region",
        "authority",
        "department",
        "is_active",
    )
    list_filter = ("role", "authority", "department", "is_active", "is_staff")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),  # Optional on ModelAdmin, always set on UserAdmin
        (_("角色与管辖"), {"fields": ("role", "region", "authority", "department", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("角色与管辖"), {"fields": ("role", "region", "authority", "department")}),
    )
