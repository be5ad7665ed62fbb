from django.contrib import admin

from tuoyu_portal.admin_bases import ScopedAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    """Support view of what was sent to whom; read-only (rows are written by `notify`). Scoped by
    `visible_to`: a staff user who is not a superuser lists only their own notifications."""

    list_display = ["id", "recipient", "kind", "title", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["event_key", "recipient__username"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
