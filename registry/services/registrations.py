"""Registration (登记) workflow: create, edit, submit, return, reject, approve, cancel.

Every transition locks the row, checks `Registration.TRANSITIONS` (409 otherwise), writes a
`RegistrationTransition` row and, for approve / cancel, the outbox event that pushes the
registration to the county health bureau — all in one transaction (architecture.md "The flow").
A decision (approve, return, reject) also writes the operators' notifications in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import notifications
from registry.models import (
    BanAlert,
    Institution,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
)
from registry.services import bans
from tuoyu_portal import crypto, identifiers, text, workflow
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation
from tuoyu_portal.exchange import outbox
from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import Region
from tuoyu_portal.text import character_violations

# Fields an operator may write on a draft / returned registration.
EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "legal_nature",
    "care_modes",
    "business_scope",
    "region",
    "address",
    "legal_representative_name",
    "legal_representative_id_number",
    "contact_phone",
    "credit_code",
)


@dataclass(frozen=True)
class RegistrationFacts:
    """The checkable facts of a registration, from a form, the API, an import row or a row."""

    name: str
    legal_nature: str
    business_scope: str
    region_code: str
    credit_code: str = ""
    id_number: str | None = None  # None: unchanged (already checked when it was stored)


def route_authority(legal_nature: str, county_code: str) -> str:
    """The registration authority for a legal nature in a county (domain §1, 25号 §4): each
    nature's authority is a per-region rule (岚山 routes 法人注册登记 to 行政审批)."""
    return rules.authority_for(legal_nature, county_code)


def validate_registration_fields(
    facts: RegistrationFacts,
    *,
    credit_code_required: bool = False,
    nature_mismatch_is_error: bool = False,
    today: date | None = None,
) -> list[RuleViolation]:
    """Every field rule of api.md "Registrations" that `facts` breaks, all at once.

    Shared by create, update, submit, approve and the bulk import. A credit code whose prefix
    does not fit the legal nature is an error only where the registration is being approved
    (domain §8); elsewhere it is reported by `registration_warnings`.
    """
    region = Region.objects.filter(code=facts.region_code).first() if facts.region_code else None
    errors = _region_violations(region)
    # Mode words and scope words are rules too (care_mode_words, scope_words): a county may
    # accept its own wording.
    switches = rules.values_for(
        ["name_requires_tuoyu", "name_requires_care_mode", "care_mode_words", "scope_words"],
        region.code if region is not None else None,
    )
    errors += _name_violations(facts.name or "", switches)
    errors += _scope_violations(facts.business_scope or "", switches)
    errors += _credit_code_violations(facts, credit_code_required, nature_mismatch_is_error)
    if facts.id_number is not None and not identifiers.id_number_valid(facts.id_number, today):
        errors.append(
            RuleViolation(
                "id_number_invalid",
                _("法定代表人身份证号码不正确（校验位或出生日期有误）。"),
                "legal_representative_id_number",
            )
        )
    return errors


def _region_violations(region: Region | None) -> list[RuleViolation]:
    if region is None:
        return [
            RuleViolation("region_unknown", _("所在县区代码不在行政区划表中，请核对。"), "region")
        ]
    if not region.is_county_level:
        return [
            RuleViolation("region_not_county", _("请选择县级行政区（县、县级市、区）。"), "region")
        ]
    return []


def _name_violations(name: str, switches: dict[str, Any]) -> list[RuleViolation]:
    errors = character_violations({"name": name})
    if switches["name_requires_tuoyu"] and "托育" not in name:
        errors.append(
            RuleViolation("name_missing_tuoyu", _("本地区要求机构名称包含“托育”字样。"), "name")
        )
    if switches["name_requires_care_mode"] and not any(
        w in name for w in switches["care_mode_words"]
    ):
        errors.append(
            RuleViolation(
                "name_missing_care_mode",
                _("本地区要求机构名称注明托育方式（全日制、半日制或计时制）。"),
                "name",
            )
        )
    return errors


def _scope_violations(scope: str, switches: dict[str, Any]) -> list[RuleViolation]:
    errors: list[RuleViolation] = []
    if len(scope) > text.BUSINESS_SCOPE_MAX:  # import rows have no serializer
        errors.append(
            RuleViolation(
                "max_length",
                _("业务范围不能超过 %(max)s 个字符。") % {"max": text.BUSINESS_SCOPE_MAX},
                "business_scope",
            )
        )
    if not any(word in scope for word in switches["scope_words"]):
        errors.append(
            RuleViolation(
                "scope_missing_tuoyu",
                _("业务范围须包含“托育服务”或“3岁以下婴幼儿照护服务”。"),
                "business_scope",
            )
        )
    return errors


def _credit_code_violations(
    facts: RegistrationFacts, required: bool, nature_mismatch_is_error: bool
) -> list[RuleViolation]:
    code = identifiers.clean_credit_code(facts.credit_code or "")
    if not code and required:
        return [RuleViolation("credit_code_required", _("请填写统一社会信用代码。"), "credit_code")]
    if code and not identifiers.credit_code_valid(code):
        return [
            RuleViolation(
                "credit_code_invalid", _("统一社会信用代码格式或校验位不正确。"), "credit_code"
            )
        ]
    if (
        code
        and nature_mismatch_is_error
        and not identifiers.credit_code_matches_nature(code, facts.legal_nature)
    ):
        return [_nature_mismatch()]
    return []


def _nature_mismatch() -> RuleViolation:
    return RuleViolation(
        "credit_code_nature_mismatch",
        _(
            "统一社会信用代码前两位与法人性质不符（事业单位12、社会服务机构52、企业91或个体工商户92）。"
        ),
        "credit_code",
    )


def registration_warnings(reg: Registration) -> list[RuleViolation]:
    """Rules that only warn: the credit-code prefix before approval, and a legal
    representative's ID whose address code is not in the region table (domain §8)."""
    found = identifiers.id_number_warnings(
        reg.legal_representative_id_masked, "legal_representative_id_number"
    )
    return found + _prefix_warnings(reg)


def _prefix_warnings(reg: Registration) -> list[RuleViolation]:
    if (
        reg.credit_code
        and identifiers.credit_code_valid(reg.credit_code)
        and not identifiers.credit_code_matches_nature(reg.credit_code, reg.legal_nature)
        and reg.status
        in (RegistrationStatus.DRAFT, RegistrationStatus.RETURNED, RegistrationStatus.SUBMITTED)
    ):
        return [_nature_mismatch()]
    return []


# --- helpers -----------------------------------------------------------------------------------


def _lock(reg: Registration) -> Registration:
    return Registration.objects.select_for_update().get(pk=reg.pk)


def _ensure_member(reg: Registration, actor: User) -> None:
    if not (
        actor.role == Role.OPERATOR
        and Membership.objects.filter(institution_id=reg.institution_id, user=actor).exists()
    ):
        raise NotPermitted(_("只有本机构的举办者可以办理此事项。"))


def ensure_registrar_for(reg: Registration, actor: User) -> None:
    """Only a registrar of the routed authority whose region covers the registration may decide."""
    if not (
        actor.has_role(Role.REGISTRAR)
        and actor.authority == reg.authority
        and actor.region_contains(reg.region_id)
    ):
        raise NotPermitted(_("只有该申请所属登记机关的工作人员可以办理此事项。"))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.single("reason_required", _("请填写理由。"), "reason")
    return reason


def _apply_id_number(reg: Registration, id_number: str) -> None:
    """Store the legal representative's ID only encrypted, hashed and masked (个人信息保护法)."""
    value = crypto.normalise_id(id_number)
    reg.legal_representative_id_encrypted = crypto.encrypt(value)
    reg.legal_representative_id_hash = crypto.keyed_hash(value)
    reg.legal_representative_id_masked = crypto.mask_id(value)


def _apply_data(reg: Registration, data: dict[str, Any]) -> None:
    for key in EDITABLE_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "legal_representative_id_number":
            _apply_id_number(reg, str(value))
        elif key == "region":
            reg.region_id = value.code if isinstance(value, Region) else str(value)
        elif key == "credit_code":
            reg.credit_code = identifiers.clean_credit_code(value or "")
        elif key == "care_modes":
            reg.care_modes = list(dict.fromkeys(value or []))
        else:
            setattr(reg, key, (value or "").strip() if isinstance(value, str) else value)


def _facts(reg: Registration, id_number: str | None) -> RegistrationFacts:
    return RegistrationFacts(
        name=reg.name,
        legal_nature=reg.legal_nature,
        business_scope=reg.business_scope,
        region_code=reg.region_id or "",
        credit_code=reg.credit_code,
        id_number=id_number,
    )


def _sync_institution(reg: Registration) -> None:
    """Until its first approval an institution takes its name and place from the application."""
    institution = reg.institution
    if institution.credit_code:
        return
    institution.name, institution.region_id, institution.address = (
        reg.name,
        reg.region_id,
        reg.address,
    )
    institution.full_clean()
    institution.save(update_fields=["name", "region", "address", "updated_at"])


def _full_clean(reg: Registration) -> None:
    # The unique-approved-credit-code constraint is checked by the service with a clean message.
    reg.full_clean(validate_constraints=False)


# --- services ----------------------------------------------------------------------------------


def _check_legal_representative_ban(
    *,
    actor: User,
    region: object,
    institution: Institution | None,
    id_number: str = "",
    id_hash: str = "",
) -> None:
    """The legal representative against the ban register (400 `banned_person`, the county
    alerted), before the caller's transaction so the alert survives the refusal."""
    code = region.code if isinstance(region, Region) else str(region or "")
    if not Region.objects.filter(code=code).exists():
        return  # the field rules refuse an unknown region; there is no county to alert
    if id_number and not identifiers.id_number_valid(id_number):
        return  # the field rule refuses it; an invalid number matches no ban
    bans.refuse_if_banned(
        actor=actor,
        region_code=code,
        institution=institution,
        id_number=id_number,
        id_hash=id_hash,
        person_role=BanAlert.PersonRole.LEGAL_REPRESENTATIVE,
        field="legal_representative_id_number",
    )


def create_registration(*, actor: User, data: dict[str, Any]) -> Registration:
    """Start a registration (below); a banned legal representative is refused first."""
    number = identifiers.normalise_identifier(data.get("legal_representative_id_number") or "")
    if number and actor.has_role(Role.OPERATOR):
        institution = data.get("institution")
        if (
            institution is not None
            and not Membership.objects.filter(institution=institution, user=actor).exists()
        ):
            institution = None
        _check_legal_representative_ban(
            actor=actor, region=data.get("region"), institution=institution, id_number=number
        )
    return _create_registration(actor=actor, data=data)


@transaction.atomic(durable=True)
def _create_registration(*, actor: User, data: dict[str, Any]) -> Registration:
    """An operator starts a registration (draft). Creates the institution and makes the actor its
    owner, unless `data["institution"]` names an institution the actor already belongs to.
    Field rules are checked now (api.md: as early as they can be); 400 lists all of them."""
    if not actor.has_role(Role.OPERATOR):
        raise NotPermitted(_("只有举办者可以填写登记申请。"))
    reg = Registration(status=RegistrationStatus.DRAFT)
    _apply_data(reg, data)
    if not data.get("legal_representative_id_number"):
        raise DomainError.single(
            "required", _("请填写法定代表人身份证号码。"), "legal_representative_id_number"
        )
    violations = validate_registration_fields(
        _facts(reg, str(data["legal_representative_id_number"]))
    )
    if violations:
        raise DomainError(violations)
    reg.authority = route_authority(reg.legal_nature, reg.region_id)
    institution = data.get("institution")
    if institution is not None:
        if not Membership.objects.filter(institution=institution, user=actor).exists():
            raise NotPermitted(_("只有本机构的举办者可以办理此事项。"))
        reg.institution = institution
    else:
        institution = Institution(name=reg.name, region_id=reg.region_id, address=reg.address)
        institution.full_clean(validate_constraints=False)
        institution.save()
        Membership.objects.create(
            institution=institution, user=actor, is_owner=True, added_by=actor
        )
        reg.institution = institution
    _full_clean(reg)
    reg.save()
    RegistrationTransition.objects.create(
        registration=reg, from_status="", to_status=RegistrationStatus.DRAFT, actor=actor
    )
    return reg


def update_registration(reg: Registration, *, actor: User, data: dict[str, Any]) -> Registration:
    """Edit (below); a new legal representative who is banned is refused first."""
    number = identifiers.normalise_identifier(data.get("legal_representative_id_number") or "")
    if number:
        _ensure_member(reg, actor)
        _check_legal_representative_ban(
            actor=actor,
            region=data.get("region") or reg.region_id,
            institution=reg.institution,
            id_number=number,
        )
    return _update_registration(reg, actor=actor, data=data)


@transaction.atomic(durable=True)
def _update_registration(reg: Registration, *, actor: User, data: dict[str, Any]) -> Registration:
    """An operator edits a draft or returned registration; the authority is re-routed. A
    refused update (wrong status: 409, broken rule: 400) changes nothing."""
    reg = _lock(reg)
    _ensure_member(reg, actor)
    workflow.ensure_status(reg, Registration.EDITABLE, _("修改"))
    _apply_data(reg, data)
    id_number = data.get("legal_representative_id_number")
    violations = validate_registration_fields(_facts(reg, str(id_number) if id_number else None))
    if violations:
        raise DomainError(violations)
    reg.authority = route_authority(reg.legal_nature, reg.region_id)
    _full_clean(reg)
    reg.save()
    _sync_institution(reg)
    return reg


def submit_registration(reg: Registration, *, actor: User) -> Registration:
    """Submit (below); the stored legal representative is checked against the register again,
    since a ban may have been recorded after the draft was saved."""
    reg = Registration.objects.select_related("institution").get(pk=reg.pk)
    if reg.legal_representative_id_hash:
        _ensure_member(reg, actor)
        _check_legal_representative_ban(
            actor=actor,
            region=reg.region_id,
            institution=reg.institution,
            id_hash=reg.legal_representative_id_hash,
        )
    return _submit_registration(reg, actor=actor)


@transaction.atomic(durable=True)
def _submit_registration(reg: Registration, *, actor: User) -> Registration:
    """An operator submits a draft or returned registration to its routed authority. Every rule
    is checked again (the region's switches may have changed since the draft)."""
    reg = _lock(reg)
    _ensure_member(reg, actor)
    workflow.ensure_transition(reg, RegistrationStatus.SUBMITTED)
    id_number = crypto.decrypt(reg.legal_representative_id_encrypted)
    violations = validate_registration_fields(_facts(reg, id_number))
    if violations:
        raise DomainError(violations)
    reg.authority = route_authority(reg.legal_nature, reg.region_id)
    workflow.record_transition(
        RegistrationTransition, reg, to=RegistrationStatus.SUBMITTED, actor=actor
    )
    reg.status = RegistrationStatus.SUBMITTED
    reg.submitted_at = timezone.now()
    _full_clean(reg)
    reg.save(update_fields=["status", "submitted_at", "authority", "updated_at"])
    return reg


@transaction.atomic(durable=True)
def return_registration(reg: Registration, *, actor: User, reason: str) -> Registration:
    """The registrar sends a submitted registration back for changes, with reasons."""
    reg = _lock(reg)
    ensure_registrar_for(reg, actor)
    workflow.ensure_transition(reg, RegistrationStatus.RETURNED)
    reason = _reason(reason)
    transition = workflow.record_transition(
        RegistrationTransition, reg, to=RegistrationStatus.RETURNED, actor=actor, reason=reason
    )
    reg.status = RegistrationStatus.RETURNED
    reg.save(update_fields=["status", "updated_at"])
    notifications.registration_decided(reg, transition_id=transition.pk, reason=reason)
    return reg


@transaction.atomic(durable=True)
def reject_registration(reg: Registration, *, actor: User, reason: str) -> Registration:
    """The registrar refuses registration (不予登记), with reasons. Final."""
    reg = _lock(reg)
    ensure_registrar_for(reg, actor)
    workflow.ensure_transition(reg, RegistrationStatus.REJECTED)
    reason = _reason(reason)
    transition = workflow.record_transition(
        RegistrationTransition, reg, to=RegistrationStatus.REJECTED, actor=actor, reason=reason
    )
    reg.status = RegistrationStatus.REJECTED
    reg.decided_at, reg.decided_by = timezone.now(), actor
    reg.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    notifications.registration_decided(reg, transition_id=transition.pk, reason=reason)
    return reg


def check_credit_code_free(
    code: str, *, institution_id: int | None, exclude_pk: int | None
) -> None:
    """400 (not an IntegrityError) when the credit code already belongs to a live registration
    or to another institution."""
    taken = Registration.objects.filter(credit_code=code, status=RegistrationStatus.APPROVED)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    other = Institution.objects.filter(credit_code=code)
    if institution_id is not None:
        other = other.exclude(pk=institution_id)
    if taken.exists() or other.exists():
        raise DomainError.single(
            "credit_code_taken",
            _("该统一社会信用代码已被其他已登记机构使用。"),
            "credit_code",
        )


@transaction.atomic(durable=True)
def approve_registration(
    reg: Registration, *, actor: User, credit_code: str | None = None
) -> Registration:
    """The registrar of the routed authority approves: the credit code is required, valid and
    consistent with the legal nature (an error here, domain §8), and unique among live
    registrations. Sets the institution's credit code and queues the push to the county health
    bureau (outbox row) in the same transaction."""
    reg = _lock(reg)
    ensure_registrar_for(reg, actor)
    workflow.ensure_transition(reg, RegistrationStatus.APPROVED)
    code = identifiers.clean_credit_code(credit_code or reg.credit_code or "")
    reg.credit_code = code
    violations = validate_registration_fields(
        _facts(reg, None), credit_code_required=True, nature_mismatch_is_error=True
    )
    # The other field rules were checked at submission; approval adds the credit-code rules.
    violations = [v for v in violations if v.field == "credit_code"]
    if violations:
        raise DomainError(violations)
    check_credit_code_free(code, institution_id=reg.institution_id, exclude_pk=reg.pk)
    transition = workflow.record_transition(
        RegistrationTransition, reg, to=RegistrationStatus.APPROVED, actor=actor
    )
    now = timezone.now()
    reg.status = RegistrationStatus.APPROVED
    reg.decided_at, reg.decided_by, reg.approved_on = now, actor, timezone.localdate(now)
    _full_clean(reg)
    try:
        # A concurrent approval of the same code loses at the partial unique index: a clean 400.
        with transaction.atomic():
            reg.save()
            institution = reg.institution
            institution.credit_code = code
            institution.name, institution.address = reg.name, reg.address
            institution.save(update_fields=["credit_code", "name", "address", "updated_at"])
    except IntegrityError:
        raise DomainError.single(
            "credit_code_taken", _("该统一社会信用代码已被其他已登记机构使用。"), "credit_code"
        )
    push_registration_event(reg, "approved")
    notifications.registration_decided(reg, transition_id=transition.pk)
    return reg


@transaction.atomic(durable=True)
def cancel_registration(reg: Registration, *, actor: User, reason: str) -> Registration:
    """The registrar cancels an approved registration (注销登记); pushed like an approval, and
    the health bureau closes the filing on receipt (domain §1)."""
    reg = _lock(reg)
    ensure_registrar_for(reg, actor)
    workflow.ensure_transition(reg, RegistrationStatus.CANCELLED)
    reason = _reason(reason)
    workflow.record_transition(
        RegistrationTransition, reg, to=RegistrationStatus.CANCELLED, actor=actor, reason=reason
    )
    reg.status = RegistrationStatus.CANCELLED
    reg.decided_at, reg.decided_by = timezone.now(), actor
    reg.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    push_registration_event(reg, "cancelled")
    return reg


def push_registration_event(reg: Registration, event: str) -> None:
    """Write the outbox row; must run inside the business transaction (enqueue checks)."""
    outbox.enqueue(
        event_type=f"registration.{event}",
        region_code=reg.region_id,
        aggregate_id=reg.pk,
        payload=registration_payload(reg, event),
    )


def registration_payload(reg: Registration, event: str) -> dict[str, Any]:
    """The push payload of domain.md §1. Carries the ID number only as stored ciphertext (plus
    mask and keyed hash); the HTTP backend decrypts at send time, never the outbox."""
    return {
        "registration_id": reg.pk,
        "event": event,
        "credit_code": reg.credit_code,
        "name": reg.name,
        "legal_nature": reg.legal_nature,
        "care_modes": list(reg.care_modes),
        "address": reg.address,
        "region": reg.region_id,
        "business_scope": reg.business_scope,
        "legal_representative": {
            "name": reg.legal_representative_name,
            "id_type": "resident_id",
            "id_number_encrypted": reg.legal_representative_id_encrypted,
            "id_masked": reg.legal_representative_id_masked,
            "id_hash": reg.legal_representative_id_hash,
        },
        "authority": reg.authority,
        "approved_on": reg.approved_on.isoformat() if reg.approved_on else None,
        "decided_at": reg.decided_at.isoformat() if reg.decided_at else None,
        "status": reg.status,
    }


@transaction.atomic(durable=True)
def add_colleague(institution: Institution, *, actor: User, username: str) -> Membership:
    """The owner of an institution adds another operator account as a colleague."""
    if not Membership.objects.filter(institution=institution, user=actor, is_owner=True).exists():
        raise NotPermitted(_("只有机构举办者可以添加同事。"))
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None or user.role != Role.OPERATOR:
        raise DomainError.single(
            "user_not_found", _("未找到该举办者账号，请确认用户名。"), "username"
        )
    membership, created = Membership.objects.get_or_create(
        institution=institution, user=user, defaults={"added_by": actor}
    )
    if not created:
        raise DomainError.single("already_member", _("该账号已是本机构成员。"), "username")
    return membership


# --- what the viewer should do next ------------------------------------------------------------


def next_step(reg: Registration, viewer: User | None) -> str:
    """A sentence telling the viewer what to do next with this registration."""
    is_registrar = viewer is not None and viewer.role == Role.REGISTRAR
    status = reg.status
    if status == RegistrationStatus.DRAFT:
        return str(
            _("等待举办者检查并提交申请。")
            if is_registrar
            else _("请核对信息后点击“提交申请”，提交至登记机关。")
        )
    if status == RegistrationStatus.SUBMITTED:
        return str(
            _("请审核：通过（填写统一社会信用代码）、退回修改或不予登记。")
            if is_registrar
            else _("已提交登记机关，请等待审核结果。")
        )
    if status == RegistrationStatus.RETURNED:
        return str(
            _("已退回举办者修改，等待重新提交。")
            if is_registrar
            else _("登记机关已退回，请按退回理由修改后重新提交。")
        )
    if status == RegistrationStatus.APPROVED:
        return str(
            _("已登记并推送至县卫生健康部门；如机构终止，可办理注销登记。")
            if is_registrar
            else _("已登记。请向县级卫生健康部门办理备案。")
        )
    if status == RegistrationStatus.REJECTED:
        return str(_("不予登记，流程已结束。"))
    return str(_("已注销登记，流程已结束；已备案的须办理注销备案。"))
