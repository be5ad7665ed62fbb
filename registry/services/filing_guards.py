"""Guards shared by the filing services: row lock, transition table, history, actors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from registry.models import (
    Filing,
    FilingStatus,
    FilingTransition,
)
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    InvalidTransition,
    NotPermitted,
    RuleViolation,
)

# ---------------------------------------------------------------------------------------------
# Guards and history


def full_clean_or_400(obj: Any) -> None:
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


def ensure_transition(filing: Filing, target: str, sources: Iterable[str] | None = None) -> None:
    """The TRANSITIONS table decides; `sources` narrows it for actions with one meaning."""
    if not filing.can_become(target) or (sources is not None and filing.status not in sources):
        raise InvalidTransition(filing.get_status_display(), FilingStatus(target).label)


def record_transition(
    filing: Filing,
    *,
    to: str,
    actor: User,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    FilingTransition.objects.create(
        filing=filing,
        from_status=filing.status,
        to_status=to,
        actor=actor,
        reason=reason,
        details=details or {},
    )


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
        raise Http404
