"""Staff roster: additions (ban and single-employer checks), edits, end of employment, reminders."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import BanAlert, Institution, StaffMember
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation, collect
from tuoyu_portal.identifiers import id_number_valid
from tuoyu_portal.regions import rules

from .bans import active_ban_for

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "name",
    "role",
    "health_certificate_expires",
    "background_check_date",
    "qualifications",
    "started_on",
)


def _ensure_operator_of(institution: Institution, actor: User) -> None:
    if actor.role != Role.OPERATOR or not institution.memberships.filter(user=actor).exists():
        raise NotPermitted(_("只有本机构的举办者可以维护工作人员花名册。"))


def _already_employed() -> DomainError:
    return DomainError.single(
        "staff_already_employed",
        _("此人已在其他托育机构在职登记，须先由原机构办理离职。"),
        "id_number",
    )


def _banned() -> DomainError:
    return DomainError.single(
        "banned_person",
        _("此人已被列入托育行业终身禁入名单，不得从事托育服务；已通报卫生健康部门。"),
        "id_number",
    )


def check_ban(institution: Institution, *, actor: User, id_number: str) -> None:
    """Refuse a banned person and alert the bureau.

    The alert is written in its own *durable* transaction before the refusal is raised: it is
    committed even though the request fails, and `durable=True` makes a caller that wraps this
    in an outer transaction (whose rollback would silently drop the alert) fail loudly instead.
    """
    ban = active_ban_for(id_number)
    if ban is None:
        return
    with transaction.atomic(durable=True):
        BanAlert.objects.create(ban=ban, institution=institution, attempted_by=actor)
    logger.warning("banned person offered to institution %s", institution.pk)
    raise _banned()


def add_staff_member(institution: Institution, *, actor: User, data: dict[str, Any]) -> StaffMember:
    """Add a person to an institution's roster (also how a change of employer is recorded).

    1. Field rules: ID checksum (`id_number_invalid`), name, role.
    2. Ban register by keyed hash → 400 `banned_person`, alert row kept for the county bureau.
    3. Active elsewhere → 400 `staff_already_employed`; the partial unique constraint makes
       this race-proof (a concurrent insert raises IntegrityError, mapped to the same code).
    """
    _ensure_operator_of(institution, actor)
    id_number = crypto.normalise_id(str(data.get("id_number") or ""))
    violations: list[RuleViolation] = []
    if not id_number_valid(id_number):
        violations.append(
            RuleViolation("id_number_invalid", _("身份证号码校验未通过。"), "id_number")
        )
    if not str(data.get("name") or "").strip():
        violations.append(RuleViolation("required", _("此字段为必填项。"), "name"))
    if data.get("role") not in StaffMember.Role.values:
        violations.append(RuleViolation("invalid_choice", _("不是有效的选项。"), "role"))
    collect(violations)
    check_ban(institution, actor=actor, id_number=id_number)
    return _insert_staff(institution, actor=actor, data=data, id_number=id_number)


def _employed_somewhere(id_hash: str) -> bool:
    """The friendly pre-check; the partial unique constraint is the race-proof guarantee."""
    return StaffMember.objects.filter(id_hash=id_hash, active=True).exists()


@transaction.atomic
def _insert_staff(
    institution: Institution, *, actor: User, data: dict[str, Any], id_number: str
) -> StaffMember:
    id_hash = crypto.keyed_hash(id_number)
    if _employed_somewhere(id_hash):
        raise _already_employed()
    member = StaffMember(
        institution=institution,
        name=str(data["name"]).strip(),
        id_encrypted=crypto.encrypt(id_number),
        id_hash=id_hash,
        id_masked=crypto.mask_id(id_number),
        role=data["role"],
        health_certificate_expires=data.get("health_certificate_expires"),
        background_check_date=data.get("background_check_date"),
        qualifications=data.get("qualifications") or "",
        started_on=data.get("started_on") or timezone.localdate(),
        created_by=actor,
    )
    member.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise _already_employed() from exc
    return member


@transaction.atomic
def update_staff_member(member: StaffMember, *, actor: User, data: dict[str, Any]) -> StaffMember:
    """Edit roster facts of an active member. The ID number cannot change (add a new row)."""
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    _ensure_operator_of(member.institution, actor)
    if not member.active:
        raise DomainError.single("staff_not_active", _("该人员已离职，不能修改。"))
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(member, field, data[field] if data[field] is not None else None)
    if member.qualifications is None:
        member.qualifications = ""
    member.full_clean(validate_constraints=False)
    member.save()
    return member


@transaction.atomic
def end_employment(member: StaffMember, *, actor: User, left_on: date | None = None) -> StaffMember:
    """Mark a member as having left; the row stays (never hard-deleted)."""
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    _ensure_operator_of(member.institution, actor)
    if not member.active:
        return member
    member.active = False
    member.left_on = left_on or timezone.localdate()
    member.save(update_fields=["active", "left_on", "updated_at"])
    return member


def send_health_certificate_reminders(today: date | None = None) -> int:
    """E-mail operators about staff health certificates expiring within the county's window.

    Idempotent: each member is claimed with a conditional UPDATE on `reminder_sent_for`, so a
    second run (or a second worker) sends nothing for the same expiry date. Returns mails sent.
    """
    today = today or timezone.localdate()
    sent = 0
    candidates = (
        StaffMember.objects.active()
        .filter(health_certificate_expires__isnull=False, health_certificate_expires__gte=today)
        .select_related("institution")
    )
    window_cache: dict[str, int] = {}
    for member in candidates.iterator():
        region = member.institution.region_id
        if region not in window_cache:
            window_cache[region] = int(
                rules.value_for("health_certificate_reminder_days", region, today)
            )
        expires = member.health_certificate_expires
        assert expires is not None
        if expires > today + timedelta(days=window_cache[region]):
            continue
        claimed = (
            StaffMember.objects.filter(pk=member.pk, active=True)
            .exclude(reminder_sent_for=expires)
            .update(reminder_sent_for=expires)
        )
        if not claimed:
            continue
        recipients = list(
            member.institution.memberships.exclude(user__email="").values_list(
                "user__email", flat=True
            )
        )
        if not recipients:
            continue
        context = {"member": member, "institution": member.institution, "expires": expires}
        subject = render_to_string("emails/staff_certificate_reminder_subject.txt", context)
        body = render_to_string("emails/staff_certificate_reminder_body.txt", context)
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)
        sent += 1
    return sent
