"""Change filings (变更备案) reviewed like filings, and deregistration (注销备案)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from registry import standards
from registry.materials import MATERIALS_BY_KIND
from registry.models import (
    BanAlert,
    CareMode,
    ChangeDocument,
    ChangeStatus,
    ClassType,
    DocumentKind,
    Filing,
    FilingChange,
    FilingChangeTransition,
    FilingClass,
    FilingDocument,
    FilingStatus,
    FilingTransition,
    FilingVersion,
    StaffMember,
)
from registry.selectors.filings import clocks, facts_for
from tuoyu_portal import crypto, workflow
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    NotPermitted,
    RuleViolation,
    collect,
)
from tuoyu_portal.identifiers import id_number_valid

from .bans import refuse_if_banned
from .filing_documents import check_upload, sanitise_name
from .filings import filing_clock_deadlines
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
# What each proposed fact is called on a page (the JSON keeps the field names).
CHANGE_LABELS: dict[str, Any] = {
    "address": _("地址"),
    "places": _("托位数"),
    "care_modes": _("托育服务方式"),
    "classes": _("班级"),
    "person_in_charge_name": _("负责人姓名"),
    "inclusive": _("普惠性托育"),
    "monthly_fee": _("月收费（元）"),
}


def proposed_rows(change: FilingChange) -> list[tuple[str, str]]:
    """(label, value) pairs of a change's proposed facts, in words a person reads."""
    modes = dict(CareMode.choices)
    types: dict[Any, Promise] = dict(ClassType.choices)  # looked up with raw JSON values
    rows: list[tuple[str, str]] = []
    for key, value in change.proposed.items():
        if key == "care_modes" and isinstance(value, list):
            shown = str(_("、")).join(str(modes.get(m, m)) for m in value)
        elif key == "classes" and isinstance(value, list):
            shown = str(_("；")).join(
                str(_("%(type)s %(children)s人，保育人员%(carers)s名"))
                % {
                    "type": types.get(row.get("class_type"), row.get("class_type")),
                    "children": row.get("children"),
                    "carers": row.get("carers"),
                }
                for row in value
                if isinstance(row, dict)
            )
        elif isinstance(value, bool):
            shown = str(_("是") if value else _("否"))
        else:
            shown = "" if value is None else str(value)
        rows.append((str(CHANGE_LABELS.get(key, key)), shown))
    return rows


CHANGEABLE_FILING_STATUSES = (FilingStatus.FILED, FilingStatus.NONCONFORMING)


def change_review_queue(user: User, *, today: date | None = None) -> list[dict[str, Any]]:
    """Submitted changes in the user's jurisdiction, oldest first, each with its clocks: the
    reviewer queue shows them beside the filings, on the same working-day deadlines."""
    today = today or timezone.localdate()
    memo: dict[tuple[Any, ...], Any] = {}
    changes = (
        FilingChange.objects.visible_to(user)
        .filter(status=ChangeStatus.SUBMITTED)
        .select_related("filing__institution")
        .order_by("received_at", "id")[:200]
    )
    return [
        {"change": change, "clocks": change_clocks(change, today=today, memo=memo)}
        for change in changes
    ]


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


def proposed_facts(filing: Filing, proposed: dict[str, Any]) -> standards.SiteFacts:
    """The filed facts with the proposed ones laid over them: what the institution would be."""
    facts = facts_for(filing)
    places = proposed.get("places", facts.places)
    classes: tuple[standards.ClassFacts, ...] = tuple(facts.classes)
    if isinstance(proposed.get("classes"), list):
        classes = tuple(
            standards.ClassFacts(
                row["class_type"], row["children"], row["carers"], row.get("min_age_months")
            )
            for row in proposed["classes"]
        )
    return replace(facts, places=places if isinstance(places, int) else None, classes=classes)


def standards_violations(filing: Filing, proposed: dict[str, Any]) -> list[RuleViolation]:
    """The filing's standards engine, its rule codes and messages, run on the proposed facts.

    Only errors block (as at filing); a change that touches no class or place still passes the
    filed facts through the engine, so a change can never carry an institution past a rule.
    """
    return [
        RuleViolation(v.rule, v.message, v.field)
        for v in standards.check_all(proposed_facts(filing, proposed), filing.region_id)
        if v.severity == "error"
    ]


def _validate_proposed(
    proposed: dict[str, Any],
    id_number: str,
    filed_places: int | None = None,
    filed_children: int | None = None,
    filing: Filing | None = None,
) -> list[RuleViolation]:
    """Every broken rule of a proposed change; classes must add up to the (new or filed) places,
    and, given the filing, every error of the standards engine on the proposed facts."""
    violations = _proposed_field_violations(proposed)
    class_violations = _proposed_class_violations(proposed)
    classes_ok = not class_violations
    violations += class_violations
    violations += _proposed_places_violations(proposed, filed_places, filed_children, classes_ok)
    if id_number and not id_number_valid(id_number):
        violations.append(
            RuleViolation(
                "id_number_invalid", _("身份证号码校验未通过。"), "person_in_charge_id_number"
            )
        )
    if not proposed and not id_number:
        violations.append(RuleViolation("change_empty", _("请至少填写一项变更内容。"), None))
    if filing is not None and classes_ok and not any(v.code == "invalid" for v in violations):
        # The engine reports places_mismatch too; the message above already explains it.
        seen = {v.code for v in violations}
        violations += [v for v in standards_violations(filing, proposed) if v.code not in seen]
    return violations


def _proposed_field_violations(proposed: dict[str, Any]) -> list[RuleViolation]:
    """Keys a change may not touch, and the places and care modes as values."""
    violations = [
        RuleViolation("invalid", _("该项不能通过变更备案修改。"), key)
        for key in sorted(set(proposed) - set(CHANGEABLE))
    ]
    if "places" in proposed and (not isinstance(proposed["places"], int) or proposed["places"] < 1):
        violations.append(RuleViolation("invalid", _("托位数须为正整数。"), "places"))
    if "care_modes" in proposed and (
        not proposed["care_modes"] or any(m not in CareMode.values for m in proposed["care_modes"])
    ):
        violations.append(RuleViolation("invalid_choice", _("不是有效的托育方式。"), "care_modes"))
    return violations


def _proposed_class_violations(proposed: dict[str, Any]) -> list[RuleViolation]:
    """One violation per proposed class row that is incomplete or of the wrong shape."""
    return [
        RuleViolation("invalid", _("班级信息不完整或格式不正确。"), f"classes[{index}]")
        for index, row in enumerate(proposed.get("classes") or [])
        if (
            not isinstance(row, dict)
            or row.get("class_type") not in ClassType.values
            or not isinstance(row.get("children"), int)
            or not isinstance(row.get("carers"), int)
        )
    ]


def _proposed_places_violations(
    proposed: dict[str, Any],
    filed_places: int | None,
    filed_children: int | None,
    classes_ok: bool,
) -> list[RuleViolation]:
    """Classes add up to the (new or filed) places; new places alone match the filed classes."""
    if "classes" in proposed and classes_ok:
        places = proposed.get("places", filed_places)
        places = places if isinstance(places, int) else None
        total = sum(row["children"] for row in proposed["classes"])
        if places is not None and total != places:
            return [
                RuleViolation(
                    "places_mismatch", _("各班计划收托人数之和与托位数不一致。"), "classes"
                )
            ]
    if (
        "places" in proposed
        and "classes" not in proposed
        and isinstance(proposed["places"], int)
        and filed_children is not None
        and proposed["places"] != filed_children
    ):
        return [
            RuleViolation(
                "places_mismatch",
                _("托位数须与各班计划收托人数之和一致，请同时变更班级。"),
                "places",
            )
        ]
    return []


# Materials a change must bring again (25号 §8 for the facts that change): a new site needs its
# proof, health evaluation and fire certificate; a new person in charge their credentials.
SITE_MATERIALS = (
    DocumentKind.SITE_PROOF,
    DocumentKind.HEALTH_EVALUATION,
    DocumentKind.FIRE_SAFETY,
)
PERSON_MATERIALS = (DocumentKind.STAFF_CREDENTIALS,)


def required_change_materials(change: FilingChange) -> list[str]:
    """Kinds of material this change must carry, in the order of the filing's material list."""
    kinds: list[str] = []
    if "address" in change.proposed:
        kinds += SITE_MATERIALS
    if change.person_in_charge_id_hash or "person_in_charge_name" in change.proposed:
        kinds += PERSON_MATERIALS
    return kinds


def missing_change_materials(change: FilingChange) -> list[RuleViolation]:
    """One `documents_missing` per absent kind, worded like the filing's."""
    present = set(change.documents.values_list("kind", flat=True))
    found: list[RuleViolation] = []
    for kind in required_change_materials(change):
        if kind not in present:
            material = MATERIALS_BY_KIND[kind]
            found.append(
                RuleViolation(
                    "documents_missing",
                    _("缺少材料：%(label)s（出具单位：%(issuer)s）。")
                    % {"label": material.label, "issuer": material.issuer},
                    kind,
                )
            )
    return found


def change_clocks(
    change: FilingChange,
    *,
    today: date | None = None,
    memo: dict[tuple[Any, ...], Any] | None = None,
) -> dict[str, Any]:
    """The filing's 5/15 working-day clocks, read off the change (same function, same memo)."""
    row = SimpleNamespace(
        status=change.status,
        region_id=change.filing.region_id,
        received_at=change.received_at,
        receipt_due=change.receipt_due,
        conformity_due=change.conformity_due,
        clocks_provisional=change.clocks_provisional,
        conformity_decided_at=change.decided_at,
    )
    return clocks(row, today=today, memo=memo)


def _children(filing: Filing) -> int | None:
    """Planned children over the filed classes (None when no classes were filed)."""
    rows = list(filing.classes.values_list("children", flat=True))
    return sum(rows) if rows else None


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
        _check_incoming_person_ban(filing, actor=actor, id_number=id_number)
    return _create_change(
        filing, actor=actor, proposed=proposed, reason=reason, id_number=id_number
    )


def _check_incoming_person_ban(filing: Filing, *, actor: User, id_number: str) -> None:
    """The person a change brings in (the new person in charge) against the ban register."""
    check_ban(
        filing.institution,
        actor=actor,
        id_number=id_number,
        person_role=BanAlert.PersonRole.PERSON_IN_CHARGE,
        field="person_in_charge_id_number",
    )


@transaction.atomic(durable=True)
def _create_change(
    filing: Filing, *, actor: User, proposed: dict[str, Any], reason: str, id_number: str
) -> FilingChange:
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if not _is_operator_of(filing, actor):
        raise NotPermitted(_("只有本机构的举办者可以办理变更备案。"))
    workflow.ensure_status(filing, CHANGEABLE_FILING_STATUSES, _("变更备案"))
    if filing.changes.filter(status__in=FilingChange.OPEN_STATUSES).exists():
        raise DomainError.single("change_already_open", _("已有一项正在办理的变更备案。"))
    collect(_validate_proposed(proposed, id_number, filing.places, _children(filing), filing))
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


@transaction.atomic(durable=True)
def update_change(
    change: FilingChange, *, actor: User, proposed: dict[str, Any], reason: str | None = None
) -> FilingChange:
    """Edit a draft (or supplement-requested) change; a refused edit changes nothing."""
    change = FilingChange.objects.select_for_update().get(pk=change.pk)
    if not _is_operator_of(change.filing, actor):
        raise NotPermitted()
    workflow.ensure_status(change, FilingChange.EDITABLE, _("修改"))
    collect(
        _validate_proposed(
            proposed, "", change.filing.places, _children(change.filing), change.filing
        )
    )
    change.proposed = proposed
    if reason is not None:
        change.reason = reason
    change.full_clean()
    change.save()
    return change


def submit_change(change: FilingChange, *, actor: User) -> FilingChange:
    """Submit (below); a new person in charge is checked against the register again, since a
    ban may have been recorded after the draft was opened (outside the transaction, so the
    county's alert survives the refusal)."""
    change = FilingChange.objects.select_related("filing__institution").get(pk=change.pk)
    if change.person_in_charge_id_hash and _is_operator_of(change.filing, actor):
        refuse_if_banned(
            actor=actor,
            region_code=change.filing.region_id,
            institution=change.filing.institution,
            id_hash=change.person_in_charge_id_hash,
            person_role=BanAlert.PersonRole.PERSON_IN_CHARGE,
            field="person_in_charge_id_number",
        )
    return _submit_change(change, actor=actor)


@transaction.atomic(durable=True)
def _submit_change(change: FilingChange, *, actor: User) -> FilingChange:
    """Operator submits (or resubmits after a supplement request) a change for review."""
    change = FilingChange.objects.select_for_update().get(pk=change.pk)
    if not _is_operator_of(change.filing, actor):
        raise NotPermitted()
    workflow.ensure_transition(change, ChangeStatus.SUBMITTED)
    filing = change.filing
    collect(
        _validate_proposed(change.proposed, "", filing.places, _children(filing), filing)
        + missing_change_materials(change)
    )
    now = timezone.now()
    # The filing's own 5/15 working-day clocks, by the same function.
    receipt, conformity = filing_clock_deadlines(filing.region_id, timezone.localtime(now).date())
    workflow.record_transition(
        FilingChangeTransition, change, to=ChangeStatus.SUBMITTED, actor=actor
    )
    change.status = ChangeStatus.SUBMITTED
    change.submitted_at = change.received_at = now
    change.receipt_due, change.conformity_due = receipt.due, conformity.due
    change.clocks_provisional = receipt.provisional or conformity.provisional
    change.save(
        update_fields=[
            "status",
            "submitted_at",
            "received_at",
            "receipt_due",
            "conformity_due",
            "clocks_provisional",
            "updated_at",
        ]
    )
    return change


@transaction.atomic(durable=True)
def add_change_document(
    change: FilingChange, *, actor: User, kind: str, upload: UploadedFile
) -> ChangeDocument:
    """Attach one material to a draft (or supplement-requested) change, checked like a filing's
    upload: PDF/JPEG/PNG by content, ≤ MAX_DOCUMENT_BYTES, SHA-256, a random storage name."""
    change = FilingChange.objects.select_for_update().select_related("filing").get(pk=change.pk)
    if not _is_operator_of(change.filing, actor):
        raise NotPermitted(_("只有本机构的举办者可以办理变更备案。"))
    problems: list[RuleViolation] = []
    if kind not in DocumentKind.values:
        problems.append(RuleViolation("invalid_choice", _("材料类型无效。"), "kind"))
    if change.status not in FilingChange.EDITABLE:
        problems.append(RuleViolation("document_locked", _("变更备案已提交，材料已锁定。"), "kind"))
    checked = check_upload(upload, problems)
    document = ChangeDocument(
        change=change,
        kind=kind,
        original_name=sanitise_name(upload.name or ""),
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    document.file.save(f"upload{checked.suffix}", upload, save=False)
    document.full_clean()
    document.save()
    return document


def _adopt_change_documents(change: FilingChange, filing: Filing) -> None:
    """An accepted change's materials become the filing's current ones of those kinds; the
    earlier files stay for the record (superseded), as after a supplement."""
    for doc in change.documents.order_by("id"):
        adopted = FilingDocument.objects.create(
            filing=filing,
            kind=doc.kind,
            original_name=doc.original_name,
            file=doc.file.name,
            size=doc.size,
            sha256=doc.sha256,
            content_type=doc.content_type,
            uploaded_by=doc.uploaded_by,
            locked=True,
        )
        filing.documents.filter(kind=doc.kind, superseded_by__isnull=True).exclude(
            pk=adopted.pk
        ).update(superseded_by=adopted)


def _reviewer_locked(change: FilingChange, actor: User, target: str) -> FilingChange:
    change = FilingChange.objects.select_for_update().select_related("filing").get(pk=change.pk)
    if not _is_reviewer_of(change.filing, actor):
        raise NotPermitted(_("只有机构所在县（市、区）卫生健康部门可以审核变更备案。"))
    workflow.ensure_transition(change, target)
    return change


@transaction.atomic(durable=True)
def request_change_supplement(change: FilingChange, *, actor: User, note: str) -> FilingChange:
    """Reviewer asks for more material; the operator edits and resubmits."""
    change = _reviewer_locked(change, actor, ChangeStatus.SUPPLEMENT_REQUESTED)
    if not note.strip():
        raise DomainError.single("reason_required", _("请说明需补正的内容。"), "note")
    workflow.record_transition(
        FilingChangeTransition, change, to=ChangeStatus.SUPPLEMENT_REQUESTED, actor=actor, note=note
    )
    change.status = ChangeStatus.SUPPLEMENT_REQUESTED
    change.supplement_note = note
    change.save(update_fields=["status", "supplement_note", "updated_at"])
    return change


@transaction.atomic(durable=True)
def reject_change(change: FilingChange, *, actor: User, reason: str) -> FilingChange:
    """Reviewer refuses the change; the filed facts stay as they are."""
    change = _reviewer_locked(change, actor, ChangeStatus.REJECTED)
    if not reason.strip():
        raise DomainError.single("reason_required", _("请说明不予变更的理由。"), "reason")
    workflow.record_transition(
        FilingChangeTransition, change, to=ChangeStatus.REJECTED, actor=actor, note=reason
    )
    change.status = ChangeStatus.REJECTED
    change.decision_note, change.decided_at, change.decided_by = reason, timezone.now(), actor
    change.save(update_fields=["status", "decision_note", "decided_at", "decided_by", "updated_at"])
    return change


@transaction.atomic(durable=True)
def accept_change(change: FilingChange, *, actor: User, note: str = "") -> FilingChange:
    """Reviewer accepts: snapshot the current facts as a FilingVersion, then apply the change.

    The filing row is locked too, so a concurrent deregistration or inspection summary update
    cannot interleave with the facts being replaced.
    """
    change = _reviewer_locked(change, actor, ChangeStatus.ACCEPTED)
    filing = (
        Filing.objects.select_for_update().select_related("institution").get(pk=change.filing_id)
    )
    workflow.ensure_status(filing, CHANGEABLE_FILING_STATUSES, _("变更备案"))
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
    _adopt_change_documents(change, filing)
    workflow.record_transition(
        FilingChangeTransition, change, to=ChangeStatus.ACCEPTED, actor=actor, note=note
    )
    change.status = ChangeStatus.ACCEPTED
    change.decision_note, change.decided_at, change.decided_by = note, timezone.now(), actor
    change.save(update_fields=["status", "decision_note", "decided_at", "decided_by", "updated_at"])
    return change


def _placement_violations(placements: Any) -> tuple[list[dict[str, Any]], list[RuleViolation]]:
    """Where the children went: rows of {"receiving_institution", "children"} (a count per
    receiving institution; a row may stand for one child). An empty list says no child was
    enrolled at closure."""
    if not isinstance(placements, list):
        return [], [
            RuleViolation(
                "placements_required",
                _("请逐项填写在托幼儿的去向（接收机构及人数）；没有在托幼儿时填写空列表。"),
                "placements",
            )
        ]
    clean: list[dict[str, Any]] = []
    found: list[RuleViolation] = []
    for index, row in enumerate(placements):
        name = str(row.get("receiving_institution") or "").strip() if isinstance(row, dict) else ""
        children = row.get("children") if isinstance(row, dict) else None
        if (
            not name
            or len(name) > 100
            or not isinstance(children, int)
            or isinstance(children, bool)
            or children < 1
        ):
            found.append(
                RuleViolation(
                    "placement_invalid",
                    _("第%(n)d项去向须写明接收机构（不超过100字）和人数（正整数）。")
                    % {"n": index + 1},
                    f"placements[{index}]",
                )
            )
        else:
            clean.append({"receiving_institution": name, "children": children})
    return clean, found


def end_tenures(filing: Filing, *, on: date) -> int:
    """The filing has closed: every active tenure at the institution ends that day, so the next
    employer is not refused with `staff_already_employed`."""
    return StaffMember.objects.filter(institution_id=filing.institution_id, active=True).update(
        active=False, left_on=on, updated_at=timezone.now()
    )


@transaction.atomic(durable=True)
def deregister_filing(
    filing: Filing,
    *,
    actor: User,
    reason: str,
    placement_confirmed: bool = False,
    placements: Any = None,
    legal_basis: str = "",
    decision_ref: str = "",
) -> Filing:
    """Deregister a filing (注销备案): by its operator (children and staff placed) or its bureau.

    The operator records where the children went (`placements`); the bureau's own
    deregistration is a decision and names its legal ground (`legal_basis`, and the decision
    reference when there is one) — this is also how a filing ends by a bureau decision (撤销),
    which is no penalty of 人口与计划生育法 §41. The staff's tenures end with the filing, and
    open change filings are rejected along with it, so nothing keeps pointing at a closed filing.
    """
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    is_operator = _is_operator_of(filing, actor)
    if not is_operator and not _is_reviewer_of(filing, actor):
        raise NotPermitted(_("只有本机构举办者或所在县卫生健康部门可以注销备案。"))
    workflow.ensure_transition(filing, FilingStatus.DEREGISTERED)
    violations: list[RuleViolation] = []
    if not reason.strip():
        violations.append(RuleViolation("reason_required", _("请说明注销理由。"), "reason"))
    clean_placements: list[dict[str, Any]] = []
    if is_operator:
        if not placement_confirmed:
            violations.append(
                RuleViolation(
                    "placement_not_confirmed",
                    _("注销前须确认已妥善安置在托婴幼儿和工作人员。"),
                    "placement_confirmed",
                )
            )
        clean_placements, found = _placement_violations(placements)
        violations += found
    else:
        if not (legal_basis or "").strip():
            violations.append(
                RuleViolation(
                    "legal_basis_required",
                    _("卫生健康部门注销备案须写明法律依据。"),
                    "legal_basis",
                )
            )
        if placements is not None:
            clean_placements, found = _placement_violations(placements)
            violations += found
    collect(violations)
    today = timezone.localdate()
    details: dict[str, Any] = {
        "placement_confirmed": bool(placement_confirmed),
        "by": actor.role,
        "placements": clean_placements,
        "children_placed": sum(row["children"] for row in clean_placements),
    }
    if not is_operator:
        details["legal_basis"] = legal_basis.strip()
        details["decision_ref"] = (decision_ref or "").strip()
    details["tenures_ended"] = end_tenures(filing, on=today)
    workflow.record_transition(
        FilingTransition,
        filing,
        to=FilingStatus.DEREGISTERED,
        actor=actor,
        reason=reason,
        details=details,
    )
    was_public = filing.status in Filing.PUBLIC_STATUSES
    filing.status = FilingStatus.DEREGISTERED
    filing.save(update_fields=["status", "updated_at"])
    if was_public:  # watchers hear of it
        from registry.services.watches import record_public_change

        record_public_change(filing, kind="deregistered", detail=reason)
    for change in filing.changes.filter(status__in=FilingChange.OPEN_STATUSES):
        workflow.record_transition(
            FilingChangeTransition,
            change,
            to=ChangeStatus.REJECTED,
            actor=actor,
            note=str(_("备案已注销")),
        )
        change.status = ChangeStatus.REJECTED
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_at", "updated_at"])
    return filing
