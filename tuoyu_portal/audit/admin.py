"""Read-only admin of the audit trail, and the "show full ID number" action for authorised roles.

The action is attached to the registry admins that hold encrypted ID numbers (this app is
installed after registry, so their ModelAdmins are registered by now); every use goes through
``reveal_id_number`` and is logged. The trail has no jurisdiction of its own: superusers read it
(ReadOnlyAdmin is scoped, and these models have no `visible_to`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoyu_portal.admin_bases import ReadOnlyAdmin
from tuoyu_portal.exceptions import DomainError, NotPermitted

from .events import event_models
from .models import AuditCheckpoint, IdNumberAccess
from .reveal import REVEALABLE, can_reveal, reveal_id_number

MAX_REVEAL_AT_ONCE = 5


@admin.register(IdNumberAccess)
class IdNumberAccessAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "model", "object_id", "field", "reason", "ip"]
    list_filter = ["model"]
    list_select_related = ["actor"]
    search_fields = ["actor__username", "object_id", "reason"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["day", "event_count", "digest", "created_at"]


for _event_model in event_models():
    admin.site.register(
        _event_model,
        type(
            f"{_event_model.__name__}Admin",
            (ReadOnlyAdmin,),
            {
                "list_display": ["pgh_id", "pgh_created_at", "pgh_label", "pgh_obj_id"],
                "list_filter": ["pgh_label"],
                "raw_id_fields": ["pgh_context"],
            },
        ),
    )


@admin.action(description=gettext_lazy("查看完整身份证号（记录查看日志）"))
def reveal_id_numbers(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    if not can_reveal(request.user):
        modeladmin.message_user(request, _("您的角色无权查看完整身份证号。"), messages.ERROR)
        return
    field = REVEALABLE[queryset.model._meta.label_lower]
    for obj in queryset[:MAX_REVEAL_AT_ONCE]:
        try:
            number = reveal_id_number(
                obj, field, actor=request.user, reason=_("管理后台核验"), request=request
            )
        except (DomainError, NotPermitted) as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            continue
        modeladmin.message_user(request, f"{obj}: {number}", messages.INFO)


def attach_reveal_action() -> None:
    """Add the action to the admins of every model with a revealable ID field."""
    for model, model_admin in list(admin.site._registry.items()):
        if model._meta.label_lower in REVEALABLE:
            actions = list(model_admin.actions or [])
            if reveal_id_numbers not in actions:
                model_admin.actions = [*actions, reveal_id_numbers]


attach_reveal_action()
