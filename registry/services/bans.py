"""The lifetime-ban register: create, correct (audited), lift. Nothing is ever deleted.

It lives in `registry` (not `inspections`) because the staff roster must check it at every
addition and registry may not import inspections (architecture: dependency direction).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from registry.models import Ban, BanAlert, BanCorrection
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation, collect
from tuoyu_portal.identifiers import id_number_valid

CORRECTABLE = ("name", "legal_basis", "decision_ref", "decided_on", "active")


def _ensure_health_reviewer(actor: User) -> None:
    if actor.role != Role.HEALTH_REVIEWER:
        raise NotPermitted(_("只有卫生健康部门审核人员可以维护禁入名单。"))


def active_ban_for(id_number: str) -> Ban | None:
    """The active ban matching an ID number, by keyed hash (no decryption)."""
    return Ban.objects.filter(id_hash=crypto.keyed_hash(id_number), active=True).first()


@transaction.atomic
def create_ban(
    *,
    actor: User,
    id_number: str,
    name: str,
    legal_basis: str,
    decision_ref: str,
    decided_on: date,
) -> Ban:
    """Add a person to the national ban register. Health reviewers only."""
    _ensure_health_reviewer(actor)
    violations: list[RuleViolation] = []
    if not id_number_valid(id_number):
        violations.append(
            RuleViolation("id_number_invalid", _("身份证号码校验未通过。"), "id_number")
        )
    elif active_ban_for(id_number) is not None:
        violations.append(RuleViolation("ban_exists", _("此人已在禁入名单中。"), "id_number"))
    for field, value in (
        ("name", name),
        ("legal_basis", legal_basis),
        ("decision_ref", decision_ref),
    ):
        if not value.strip():
            violations.append(RuleViolation("required", _("此字段为必填项。"), field))
    collect(violations)
    ban = Ban(
        name=name.strip(),
        id_encrypted=crypto.encrypt(crypto.normalise_id(id_number)),
        id_hash=crypto.keyed_hash(id_number),
        id_masked=crypto.mask_id(id_number),
        legal_basis=legal_basis.strip(),
        decision_ref=decision_ref.strip(),
        decided_on=decided_on,
        created_by=actor,
    )
    ban.full_clean()
    try:
        with transaction.atomic():
            ban.save()
    except IntegrityError as exc:  # a concurrent addition of the same person won the race
        raise DomainError.single("ban_exists", _("此人已在禁入名单中。"), "id_number") from exc
    BanCorrection.objects.create(
        ban=ban, actor=actor, changes={"created": True}, reason=str(_("列入禁入名单"))
    )
    return ban


@transaction.atomic
def correct_ban(ban: Ban, *, actor: User, changes: dict[str, Any], reason: str) -> Ban:
    """Correct a ban's recorded facts; every correction is kept with its reason and old values."""
    _ensure_health_reviewer(actor)
    if not reason.strip():
        raise DomainError.single("reason_required", _("更正须说明理由。"), "reason")
    ban = Ban.objects.select_for_update().get(pk=ban.pk)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise DomainError(
            [RuleViolation("invalid", _("该字段不可更正。"), field) for field in sorted(unknown)]
        )
    diff: dict[str, Any] = {}
    for field, value in changes.items():
        old = getattr(ban, field)
        if old != value:
            diff[field] = {"from": str(old), "to": str(value)}
            setattr(ban, field, value)
    if not diff:
        return ban
    ban.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            ban.save()
    except IntegrityError as exc:  # re-activating while another active ban exists
        raise DomainError.single("ban_exists", _("此人已在禁入名单中。"), "active") from exc
    BanCorrection.objects.create(ban=ban, actor=actor, changes=diff, reason=reason.strip())
    return ban


def lift_ban(ban: Ban, *, actor: User, reason: str) -> Ban:
    """Lift a ban (e.g. decision overturned): a correction setting it inactive, with a reason."""
    return correct_ban(ban, actor=actor, changes={"active": False}, reason=reason)


@transaction.atomic
def mark_alert_seen(alert: BanAlert, *, actor: User) -> BanAlert:
    """A county health reviewer acknowledges an alert (it stays on record)."""
    _ensure_health_reviewer(actor)
    BanAlert.objects.filter(pk=alert.pk).update(seen=True)
    alert.seen = True
    return alert
