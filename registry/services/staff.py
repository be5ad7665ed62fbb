"""Staff roster: additions (ban and single-employer checks), edits, end of employment."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import BanAlert, Institution, StaffMember
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation, collect
from tuoyu_portal.identifiers import IdDocumentType, id_number_valid

from .bans import refuse_if_banned

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


def check_ban(
    institution: Institution,
    *,
    actor: User,
    id_number: str,
    person_role: str = BanAlert.PersonRole.STAFF,
    field: str = "id_number",
) -> None:
    """Refuse a banned person and alert the county bureau (see bans.refuse_if_banned)."""
    refuse_if_banned(
        actor=actor,
        region_code=institution.region_id,
        institution=institution,
        id_number=id_number,
        person_role=person_role,
        field=field,
    )


def add_staff_member(institution: Institution, *, actor: User, data: dict[str, Any]) -> StaffMember:
    """Add a person to an institution's roster (also how a change of employer is recorded).

    1. Field rules: ID checksum (`id_number_invalid`), name, role.
    2. Ban register by keyed hash → 400 `banned_person`, alert row kept for the county bureau.
    3. Active elsewhere → 400 `staff_already_employed`; the partial unique constraint makes
       this race-proof (a concurrent insert raises IntegrityError, mapped to the same code).
    """
    _ensure_operator_of(institution, actor)
    id_number = crypto.normalise_id(str(data.get("id_number") or ""))
    document_type = data.get("id_document_type") or IdDocumentType.RESIDENT_ID
    violations: list[RuleViolation] = []
    if document_type not in IdDocumentType.values:
        violations.append(
            RuleViolation("invalid_choice", _("不是有效的选项。"), "id_document_type")
        )
    elif not id_number_valid(id_number, document_type=document_type):
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


@transaction.atomic(durable=True)
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
        id_document_type=data.get("id_document_type") or IdDocumentType.RESIDENT_ID,
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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
