"""One status workflow for every stateful model: ask, guard and record a move.

A model takes part by having a `status` field with choices and a `TRANSITIONS` table
(current status -> the statuses it may become). Its history model has a foreign key to it and
`from_status`, `to_status` and `actor` columns. Refusals always name statuses by their labels,
never by their codes, because the message is read by people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, TypeVar

from django.db import models
from django.utils.functional import Promise

from tuoyu_portal.exceptions import InvalidTransition

History = TypeVar("History", bound=models.Model)


class Stateful(Protocol):
    """What the helpers need of a model: a status and its transition table."""

    status: Any
    # A class-level table; a settable protocol member must match the models' type exactly.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]]


def status_label(obj: Any, status: str | None = None) -> str:
    """The label of `status` (the object's own status by default) from the field's choices."""
    code = obj.status if status is None else status
    choices = dict(obj._meta.get_field("status").flatchoices)
    return str(choices.get(code, code))


def can_become(obj: Stateful, target: str, sources: Iterable[str] | None = None) -> bool:
    """Whether the table lets the object move to `target`; `sources` narrows it further."""
    if sources is not None and obj.status not in sources:
        return False
    return target in type(obj).TRANSITIONS.get(obj.status, ())


def ensure_transition(obj: Stateful, target: str, sources: Iterable[str] | None = None) -> None:
    """Refuse (409 `invalid_transition`) a move the table does not allow."""
    if not can_become(obj, target, sources):
        raise InvalidTransition(status_label(obj), status_label(obj, target))


def ensure_status(obj: Stateful, allowed: Iterable[str], action: str | Promise) -> None:
    """Refuse (409) an action that keeps the status but is open only in some statuses.

    `action` names the action for the message, since there is no target status to name.
    """
    if obj.status not in allowed:
        raise InvalidTransition(status_label(obj), str(action))


def record_transition(
    history: type[History], obj: models.Model, *, to: str, actor: Any, **fields: Any
) -> History:
    """Write one history row for the move of `obj` from its current status to `to`.

    Call it before the new status is assigned: the row takes `from_status` from the object.
    """
    link = _link_to(history, type(obj))
    return history._default_manager.create(  # type: ignore[no-any-return]
        **{link: obj},
        from_status=getattr(obj, "status", ""),
        to_status=to,
        actor=actor,
        **fields,
    )


def _link_to(history: type[models.Model], subject: type[models.Model]) -> str:
    for field in history._meta.get_fields():
        if isinstance(field, models.ForeignKey) and issubclass(subject, field.related_model):
            return field.name
    raise LookupError(f"{history.__name__} has no foreign key to {subject.__name__}")
