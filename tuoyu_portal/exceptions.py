"""Domain errors raised by services and turned into the api.md error shape by one handler."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RuleViolation:
    """One broken rule: a stable code for machines and a Chinese message for people."""

    code: str
    message: str | Promise
    field: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class DomainError(Exception):
    """A request that breaks one or more rules; answered with 400 and every violation at once."""

    status_code = 400

    def __init__(self, violations: list[RuleViolation] | RuleViolation) -> None:
        self.violations = violations if isinstance(violations, list) else [violations]
        super().__init__("; ".join(f"{v.code}: {v.message}" for v in self.violations))

    @classmethod
    def single(cls, code: str, message: str | Promise, field: str | None = None) -> DomainError:
        return cls([RuleViolation(code, message, field)])


class InvalidTransition(DomainError):
    """The object's current status does not allow this action (HTTP 409)."""

    status_code = 409

    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            RuleViolation(
                "invalid_transition",
                _("当前状态“%(current)s”不允许执行此操作（目标状态“%(target)s”）。")
                % {"current": current, "target": target},
            )
        )


class NotPermitted(DomainError):
    """The actor may see the object but not perform this action (HTTP 403)."""

    status_code = 403

    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(RuleViolation("not_permitted", message or _("您无权执行此操作。")))


class NotFound(Exception):  # noqa: N818 - named for the answer, like Http404
    """The object does not exist or lies outside the actor's jurisdiction (HTTP 404).

    Not a DomainError: a view that shows rule violations next to a form must not show this one;
    the API handler and the HTML middleware answer it exactly as they answer Http404, so an
    object out of reach looks the same as one that does not exist.
    """


def collect(violations: list[RuleViolation]) -> None:
    """Raise one DomainError listing every violation, if there are any."""
    if violations:
        raise DomainError(violations)


class AccountLocked(DomainError):
    """Too many failed sign-ins for this user from this address (HTTP 429)."""

    status_code = 429
