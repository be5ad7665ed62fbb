"""Guards shared by the filing services: row lock, model validation, actors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from registry.models import Filing
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    NotFound,
    NotPermitted,
    RuleViolation,
)

# ---------------------------------------------------------------------------------------------
# Guards


def ensure_valid(obj: Any) -> None:
    """full_clean, with model validation errors as a 400 in the api.md shape (never a 500)."""
    try:
        obj.full_clean()
    except DjangoValidationError as error:
        raise DomainError(
            [
                RuleViolation("invalid", str(message), None if name == "__all__" else name)
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        )


def lock_filing(filing: Filing) -> Filing:
    # Row lock: two reviewers (or a reviewer and the operator) acting at once serialise here.
    return Filing.objects.select_for_update().get(pk=filing.pk)


def ensure_operator(filing: Filing, actor: User) -> None:
    if (
        actor.role != Role.OPERATOR
        or not filing.institution.memberships.filter(user=actor).exists()
    ):
        raise NotPermitted(_("只有本机构的举办者或工作人员可以办理。"))


def ensure_reviewer(filing: Filing, actor: User) -> None:
    """County health reviewers of the filing's county (or above it) act on filings."""
    if actor.role != Role.HEALTH_REVIEWER:
        raise NotPermitted(_("只有县级卫生健康部门审核人员可以办理。"))
    if not Filing.objects.visible_to(actor).filter(pk=filing.pk).exists():
        raise NotFound
