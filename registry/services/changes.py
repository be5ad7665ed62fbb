"""Change filings (变更备案) reviewed like filings, and deregistration (注销备案)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import (
    CareMode,
    ChangeStatus,
    ClassType,
    Filing,
    FilingChange,
    FilingChangeTransition,
    FilingClass,
    FilingStatus,
    FilingTransition,
    FilingVersion,
)
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    InvalidTransition,
    NotPermitted,
    RuleViolation,
    collect,
)
from tuoyu_portal.identifiers import id_number_valid

from .staff import check_ban

# Facts a change filing may propose (domain §N: site, places, classes, person in charge, modes).
CHANGEABLE = (
    "address",
    "places",
    "care_modes",
    "classes",
    "person_in_charge_name",
    "inclusive",
    "monthly_fee",
)
CHANGEABLE_FILING_STATUSES = (FilingStatus.FILED, FilingStatus.NONCONFORMING)


def _is_operator_of(filing: Filing, actor: User) -> bool:
    return (
        actor.role == Role.OPERATOR and filing.institution.memberships.filter(user=actor).exists()
    )


def _is_reviewer_of(filing: Filing, actor: User) -> bool:
    prefix = actor.region_prefix
    return (
        actor.role == Role.HEALTH_REVIEWER
        and prefix is not None
        and filing.region_id.startswith(prefix)
    )


def filing_facts(filing: Filing) -> dict[str, Any]:
    """The filed facts a version keeps (no plaintext personal data: the ID stays masked)."""
    return {
        "address": filing.institution.address,
        "places": filing.places,
        "care_modes": list(filing.care_modes),
        "classes": [
            {"class_type": c.class_type, "children": c.children, "carers": c.carers}
            for c in filing.classes.all()
        ],
        "person_in_charge_name": filing.person_in_charge_name,
        "person_in_charge_id_masked": filing.person_in_charge_id_masked,
        "inclusive": filing.inclusive,
        "monthly_fee": None if filing.monthly_fee is None else str(filing.monthly_fee),
    }


def _validate_proposed(
    proposed: dict[str, Any],
    id_number: str,
    filed_places: int | None = None,
    filed_children: int | None = None,
) -> list[RuleViolation]:
    """Every broken rule of a proposed change; classes must add up to the (new or filed) places."""
    violations: list[RuleViolation] = []
    for key in sorted(set(proposed) - set(CHANGEABLE)):
        violations.append(RuleViolation("invalid", _("该项不能通过变更备案修改。"), key))
    if "places" in proposed and (not isinstance(proposed["places"], int) or proposed["places"] < 1):
        violations.append(RuleViolation("invalid", _("托位数须为正整数。"), "places"))
    if "care_modes" in proposed and (
        not proposed["care_modes"] or any(m not in CareMode.values for m in proposed["care_modes"])
    ):
        violations.append(RuleViolation("invalid_choice", _("不是有效的托育方式。"), "care_modes"))
    classes_ok = True
    for index, row in enumerate(proposed.get("classes") or []):
        if (
            not isinstance(row, dict)
            or row.get("class_type") not in ClassType.values
            or not isinstance(row.get("children"), int)
            or not isinstance(row.get("carers"), int)
        ):
            classes_ok = False
            violations.append(
                RuleViolation("invalid", _("班级信息不完整或格式不正确。"), f"classes[{index}]")
            )
    if "classes" in proposed and classes_ok:
        places = proposed.get("places", filed_places)
        places = places if isinstance(places, int) else None
        total = sum(row["children"] for row in proposed["classes"])
        if places is not None and total != places:
            violations.append(
                RuleViolation(
                    "places_mismatch", _("各班计划收托人数之和与托位数不一致。"), "classes"
                )
            )
    if (
        "places" in proposed
        and "classes" not in proposed
        and isinstance(proposed["places"], int)
        and filed_children is not None
        and proposed["places"] != filed_children
    ):
        violations.append(
            RuleViolation(
                "places_mismatch",
                _("托位数须与各班计划收托人数之和一致，请同时变更班级。"),
                "places",
            )
        )
    if id_number and not id_number_valid(id_number):
        violations.append(
            RuleViolation(
                "id_number_invalid", _("身份证号码校验未通过。"), "person_in_charge_id_number"
            )
        )
    if not proposed and not id_number:
        violations.append(RuleViolation("change_empty", _("请至少填写一项变更内容。"), None))
    return violations


def _children(filing: Filing) -> int | None:
    """Planned children over the filed classes (None when no classes were filed)."""
    rows = list(filing.classes.values_list("children", flat=True))
    return sum(rows) if rows else None


def _record(change: FilingChange, to: str, actor: User, note: str = "") -> None:
    FilingChangeTransition.objects.create(
        change=change, from_status=change.status, to_status=to, actor=actor, note=note
    )


def _guard(change: FilingChange, target: str) -> None:
    if not change.can_become(target):
        raise InvalidTransition(change.status, target)


def create_change(
    filing: Filing,
    *,
    actor: User,
    proposed: dict[str, Any],
    reason: str = "",
    person_in_charge_id_number: str = "",
) -> FilingChange:
    """Open a change filing (draft) for a filed institution. The operator of the institution only.

    A new person in charge is checked against the ban register first, like any staff addition
    (400 `banned_person`, alert committed for the county bureau), outside the change transaction.
    """
    if not _is_operator_of(filing, actor):
        raise NotPermitted(_("只有本机构的举办者可以办理变更备案。"))
    id_number = crypto.normalise_id(person_in_charge_id_number)
    if id_number and id_number_valid(id_number):
        check_ban(filing.institution, actor=actor, id_number=id_number)
    return _create_change(
        filing, actor=actor, proposed=proposed, reason=reason, id_number=id_number
    )


@transaction.atomic
def _create_change(
    filing: Filing, *, actor: User, proposed: dict[str, Any], reason: str, id_number: str
) -> FilingChange:
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if not _is_operator_of(filing, actor):
        raise NotPermitted(_("只有本机构的举办者可以办理变更备案。"))
    if filing.status not in CHANGEABLE_FILING_STATUSES:
        raise InvalidTransition(filing.status, "change")
    if filing.changes.filter(status__in=FilingChange.OPEN_STATUSES).exists():
        raise DomainError.single("change_already_open", _("已有一项正在办理的变更备案。"))
    collect(_validate_proposed(proposed, id_number, filing.places, _children(filing)))
    change = FilingChange(filing=filing, proposed=proposed, reason=reason, created_by=actor)
    if id_number:
        change.person_in_charge_id_encrypted = crypto.encrypt(id_number)
        change.person_in_charge_id_hash = crypto.keyed_hash(id_number)
        change.person_in_charge_id_masked = crypto.mask_id(id_number)
    change.full_clean()
    change.save()
    FilingChangeTransition.objects.create(
        change=change, from_status="", to_status=ChangeStatus.DRAFT, actor=actor
    )
    return change


@transaction.atomic
def update_change(
    change: FilingChange, *, actor: User, proposed: dict[str, Any], reason: str | None = None
) -> FilingChange:
    """Edit a draft (or supplement-requested) change; a refused edit changes nothing."""
    change = FilingChange.objects.select_for_update().get(pk=change.pk)
    if not _is_operator_of(change.filing, actor):
        raise NotPermitted()
    if change.status not in FilingChange.EDITABLE:
        raise InvalidTransition(change.status, change.status)
    collect(_validate_proposed(proposed, "", change.filing.places, _children(change.filing)))
    change.proposed = proposed
    if reason is not None:
        change.reason = reason
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def submit_change(change: FilingChange, *, actor: User) -> FilingChange:
    """Operator submits (or resubmits after a supplement request) a change for review."""
    change = FilingChange.objects.select_for_update().get(pk=change.pk)
    if not _is_operator_of(change.filing, actor):
        raise NotPermitted()
    _guard(change, ChangeStatus.SUBMITTED)
    collect(_validate_proposed(change.proposed, "", change.filing.places, _children(change.filing)))
    _record(change, ChangeStatus.SUBMITTED, actor)
    change.status = ChangeStatus.SUBMITTED
    change.submitted_at = timezone.now()
    change.save(update_fields=["status", "submitted_at", "updated_at"])
    return change


def _reviewer_locked(change: FilingChange, actor: User, target: str) -> FilingChange:
    change = FilingChange.objects.select_for_update().select_related("filing").get(pk=change.pk)
    if not _is_reviewer_of(change.filing, actor):
        raise NotPermitted(_("只有机构所在县（市、区）卫生健康部门可以审核变更备案。"))
    _guard(change, target)
    return change


@transaction.atomic
def request_change_supplement(change: FilingChange, *, actor: User, note: str) -> FilingChange:
    """Reviewer asks for more material; the operator edits and resubmits."""
    change = _reviewer_locked(change, actor, ChangeStatus.SUPPLEMENT_REQUESTED)
    if not note.strip():
        raise DomainError.single("reason_required", _("请说明需补正的内容。"), "note")
    _record(change, ChangeStatus.SUPPLEMENT_REQUESTED, actor, note)
    change.status = ChangeStatus.SUPPLEMENT_REQUESTED
    change.supplement_note = note
    change.save(update_fields=["status", "supplement_note", "updated_at"])
    return change


@transaction.atomic
def reject_change(change: FilingChange, *, actor: User, reason: str) -> FilingChange:
    """Reviewer refuses the change; the filed facts stay as they are."""
    change = _reviewer_locked(change, actor, ChangeStatus.REJECTED)
    if not reason.strip():
        raise DomainError.single("reason_required", _("请说明不予变更的理由。"), "reason")
    _record(change, ChangeStatus.REJECTED, actor, reason)
    change.status = ChangeStatus.REJECTED
    change.decision_note, change.decided_at, change.decided_by = reason, timezone.now(), actor
    change.save(update_fields=["status", "decision_note", "decided_at", "decided_by", "updated_at"])
    return change


@transaction.atomic
def accept_change(change: FilingChange, *, actor: User, note: str = "") -> FilingChange:
    """Reviewer accepts: snapshot the current facts as a FilingVersion, then apply the change.

    The filing row is locked too, so a concurrent deregistration or inspection summary update
    cannot interleave with the facts being replaced.
    """
    change = _reviewer_locked(change, actor, ChangeStatus.ACCEPTED)
    filing = (
        Filing.objects.select_for_update().select_related("institution").get(pk=change.filing_id)
    )
    if filing.status not in CHANGEABLE_FILING_STATUSES:
        raise InvalidTransition(filing.status, "change")
    last = filing.versions.aggregate(n=Max("number"))["n"] or 0
    FilingVersion.objects.create(
        filing=filing,
        number=last + 1,
        facts=filing_facts(filing),
        change=change,
        reason=str(_("变更备案前的版本")),
    )
    proposed = change.proposed
    for field in ("places", "care_modes", "person_in_charge_name", "inclusive"):
        if field in proposed:
            setattr(filing, field, proposed[field])
    if "monthly_fee" in proposed:
        fee = proposed["monthly_fee"]
        filing.monthly_fee = None if fee in (None, "") else Decimal(str(fee))
    if change.person_in_charge_id_hash:
        filing.person_in_charge_id_encrypted = change.person_in_charge_id_encrypted
        filing.person_in_charge_id_hash = change.person_in_charge_id_hash
        filing.person_in_charge_id_masked = change.person_in_charge_id_masked
    filing.full_clean(validate_constraints=False)
    filing.save()
    if "classes" in proposed:
        filing.classes.all().delete()
        FilingClass.objects.bulk_create(
            FilingClass(
                filing=filing,
                class_type=row["class_type"],
                children=row["children"],
                carers=row["carers"],
            )
            for row in proposed["classes"]
        )
    if "address" in proposed:
        institution = filing.institution
        institution.address = proposed["address"]
        institution.save(update_fields=["address", "updated_at"])
    _record(change, ChangeStatus.ACCEPTED, actor, note)
    change.status = ChangeStatus.ACCEPTED
    change.decision_note, change.decided_at, change.decided_by = note, timezone.now(), actor
    change.save(update_fields=["status", "decision_note", "decided_at", "decided_by", "updated_at"])
    return change


@transaction.atomic
def deregister_filing(
    filing: Filing, *, actor: User, reason: str, placement_confirmed: bool = False
) -> Filing:
    """Deregister a filing (注销备案): by its operator (children and staff placed) or its bureau.

    Open change filings are rejected along with it, so nothing keeps pointing at a closed filing.
    """
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    is_operator = _is_operator_of(filing, actor)
    if not is_operator and not _is_reviewer_of(filing, actor):
        raise NotPermitted(_("只有本机构举办者或所在县卫生健康部门可以注销备案。"))
    if not filing.can_become(FilingStatus.DEREGISTERED):
        raise InvalidTransition(filing.status, FilingStatus.DEREGISTERED)
    violations: list[RuleViolation] = []
    if not reason.strip():
        violations.append(RuleViolation("reason_required", _("请说明注销理由。"), "reason"))
    if is_operator and not placement_confirmed:
        violations.append(
            RuleViolation(
                "placement_not_confirmed",
                _("注销前须确认已妥善安置在托婴幼儿和工作人员。"),
                "placement_confirmed",
            )
        )
    collect(violations)
    FilingTransition.objects.create(
        filing=filing,
        from_status=filing.status,
        to_status=FilingStatus.DEREGISTERED,
        actor=actor,
        reason=reason,
        details={"placement_confirmed": bool(placement_confirmed), "by": actor.role},
    )
    was_public = filing.status in Filing.PUBLIC_STATUSES
    filing.status = FilingStatus.DEREGISTERED
    filing.save(update_fields=["status", "updated_at"])
    if was_public:  # issue 23: watchers hear of it
        from registry.services.watches import record_public_change

        record_public_change(filing, kind="deregistered", detail=reason)
    for change in filing.changes.filter(status__in=FilingChange.OPEN_STATUSES):
        FilingChangeTransition.objects.create(
            change=change,
            from_status=change.status,
            to_status=ChangeStatus.REJECTED,
            actor=actor,
            note=str(_("备案已注销")),
        )
        change.status = ChangeStatus.REJECTED
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_at", "updated_at"])
    return filing
