"""Full ID numbers are shown only through ``reveal_id_number``, which logs every view."""

from __future__ import annotations

from typing import Any, TypeGuard

from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted
from tuoyu_portal.ratelimit import client_ip

from .models import IdNumberAccess

# Encrypted ID fields by model label. Only roles whose task needs the full number may see it:
# registrars (checking a legal representative) and county health reviewers (staff and bans).
REVEALABLE: dict[str, str] = {
    "registry.registration": "legal_representative_id_encrypted",
    "registry.filing": "person_in_charge_id_encrypted",
    "registry.staffmember": "id_encrypted",
    "registry.ban": "id_encrypted",
}
REVEAL_ROLES = frozenset({Role.REGISTRAR, Role.HEALTH_REVIEWER})


def can_reveal(actor: User | Any) -> TypeGuard[User]:
    return bool(
        getattr(actor, "is_authenticated", False)
        and (actor.is_superuser or getattr(actor, "role", None) in REVEAL_ROLES)
    )


@transaction.atomic
def reveal_id_number(
    obj: models.Model,
    field: str,
    *,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
) -> str:
    """The full ID number in ``field`` of ``obj`` for ``actor``, logged in IdNumberAccess.

    Refused (403) for roles without need and (404-like NotPermitted) for objects outside the
    actor's jurisdiction; a reason is required. The log row commits with the read."""
    label = obj._meta.label_lower
    if REVEALABLE.get(label) != field:
        raise DomainError.single("field_not_revealable", _("该字段不能查看明文。"), "field")
    if not can_reveal(actor):
        raise NotPermitted(_("您的角色无权查看完整身份证号。"))
    manager: Any = type(obj)._default_manager
    if not actor.is_superuser and not manager.visible_to(actor).filter(pk=obj.pk).exists():
        raise NotPermitted(_("对象不存在或不在您的管辖范围内。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.single("reason_required", _("查看完整身份证号须说明事由。"), "reason")
    IdNumberAccess.objects.create(
        actor=actor,
        model=label,
        object_id=str(obj.pk),
        field=field,
        reason=reason[:200],
        path=request.path[:300] if request is not None else "",
        ip=client_ip(request) if request is not None else None,
    )
    token = getattr(obj, field) or ""
    return crypto.decrypt(token) if token else ""
