"""Filing (备案) workflow services: drafts, readiness, submission, review, documents.

Every write goes through here (style.md §4): row lock, TRANSITIONS guard (409), a
FilingTransition history row in the same transaction, full_clean before save. Bad input raises
DomainError listing every broken rule at once (400); nothing is changed by a refused request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import receipts, standards
from registry.models import (
    BanAlert,
    DocumentKind,
    Filing,
    FilingClass,
    FilingNumberCounter,
    FilingStatus,
    FilingTransition,
    Registration,
    RegistrationStatus,
    SupplementRequest,
)
from registry.selectors.filings import _beijing_date, run_submission_checks
from registry.services import bans
from registry.services.filing_guards import (
    ensure_operator,
    ensure_reviewer,
    ensure_valid,
    lock_filing,
)
from tuoyu_portal import crypto, identifiers, workflow
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    NotFound,
    NotPermitted,
    RuleViolation,
    collect,
)
from tuoyu_portal.regions.calendar import Deadline, Prefetched, working_deadline
from tuoyu_portal.regions.rules import value_for

# The filing actions of one meaning each: the status they lead to and the only statuses they start
# from (the TRANSITIONS table allows more: a filed filing may become filed again by conforming,
# but "accept" is only for a submitted one). Pages ask `can` which buttons to show.
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "submit": (
        FilingStatus.SUBMITTED,
        frozenset({FilingStatus.DRAFT, FilingStatus.SUPPLEMENT_REQUESTED}),
    ),
    "supplement": (FilingStatus.SUPPLEMENT_REQUESTED, frozenset({FilingStatus.SUBMITTED})),
    "accept": (FilingStatus.FILED, frozenset({FilingStatus.SUBMITTED})),
    "nonconforming": (FilingStatus.NONCONFORMING, frozenset({FilingStatus.FILED})),
    "conforming": (FilingStatus.FILED, frozenset({FilingStatus.NONCONFORMING})),
}


def can(filing: Filing, action: str) -> bool:
    """Whether the filing's status allows `action` (a key of ACTIONS); no actor check."""
    target, sources = ACTIONS[action]
    return workflow.can_become(filing, target, sources)


def _ensure_action(filing: Filing, action: str) -> None:
    target, sources = ACTIONS[action]
    workflow.ensure_transition(filing, target, sources)


# 备案书 scalar fields an operator edits (api.md "Filings"); also the field names a supplement
# request may name besides document kinds.
SCALAR_FIELDS: tuple[str, ...] = (
    "person_in_charge_name",
    "care_modes",
    "places",
    "building_area_m2",
    "indoor_area_m2",
    "outdoor_area_m2",
    "children_floor",
    "site_tenure",
    "lease_end",
    "meals",
    "inclusive",
    "monthly_fee",
    "commitment_accepted",
)
STAFF_FIELDS: dict[str, str] = {
    "caregivers": "staff_caregivers",
    "health_workers": "staff_health_workers",
    "security_guards": "staff_security_guards",
    "cooks": "staff_cooks",
    "managers": "staff_managers",
}
FILING_FIELDS: tuple[str, ...] = (
    *SCALAR_FIELDS,
    "person_in_charge_id_number",
    "classes",
    "staff",
)

# ---------------------------------------------------------------------------------------------
# Drafts


def _validate_id_number(value: str) -> list[RuleViolation]:
    try:
        ok = identifiers.id_number_valid(value)
    except Exception:  # the identifiers module raises on garbage; garbage is invalid input
        ok = False
    if ok:
        return []
    return [
        RuleViolation(
            "id_number_invalid",
            _("负责人身份证号码无效（校验位或出生日期不正确）。"),
            "person_in_charge_id_number",
        )
    ]


def _apply_data(
    filing: Filing, data: Mapping[str, Any], *, actor: User
) -> list[dict[str, Any]] | None:
    """Copy validated input onto the filing; returns the new class list if one was given.

    Field rules (ID checksum, dates, floor 0) are checked field by field here so an autosave of a
    half-filled form still refuses a value that can never be right.
    """
    problems: list[RuleViolation] = []
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(filing, name, data[name])
    if "children_floor" in data and data["children_floor"] == 0:
        problems.append(
            RuleViolation(
                "invalid",
                _("楼层从1开始；地下室请填负数（如-1）。"),
                "children_floor",
            )
        )
    if "person_in_charge_id_number" in data:
        number = identifiers.normalise_identifier(data["person_in_charge_id_number"])
        if number:
            problems += _validate_id_number(number)
            filing.person_in_charge_id_encrypted = crypto.encrypt(number)
            filing.person_in_charge_id_hash = crypto.keyed_hash(number)
            filing.person_in_charge_id_masked = crypto.mask_id(number)
        else:
            filing.person_in_charge_id_encrypted = ""
            filing.person_in_charge_id_hash = ""
            filing.person_in_charge_id_masked = ""
    staff = data.get("staff")
    if staff:
        for key, column in STAFF_FIELDS.items():
            if key in staff and staff[key] is not None:
                setattr(filing, column, staff[key])
    if "commitment_accepted" in data:
        # 承诺书: the legal representative's name and the time are part of the attestation.
        if data["commitment_accepted"]:
            if not filing.commitment_signed_at:
                filing.commitment_signed_at = timezone.now()
                filing.commitment_signed_by = (
                    filing.registration.legal_representative_name
                    or actor.get_full_name()
                    or str(actor)
                )
        else:
            filing.commitment_signed_at = None
            filing.commitment_signed_by = ""
    classes = data.get("classes")
    if classes is not None:
        for index, item in enumerate(classes):
            if item.get("class_type") not in standards.CLASS_TYPES:
                problems.append(
                    RuleViolation(
                        "class_type_invalid", _("班型无效。"), f"classes[{index}].class_type"
                    )
                )
    collect(problems)
    return list(classes) if classes is not None else None


def _save_classes(filing: Filing, classes: list[dict[str, Any]] | None) -> None:
    if classes is None:
        return
    filing.classes.all().delete()
    FilingClass.objects.bulk_create(
        FilingClass(
            filing=filing,
            class_type=item["class_type"],
            children=item.get("children") or 0,
            carers=item.get("carers") or 0,
            min_age_months=item.get("min_age_months"),
        )
        for item in classes
    )


def _check_person_in_charge_ban(
    *, actor: User, institution: Any, region_code: str, id_number: str = "", id_hash: str = ""
) -> None:
    """The person in charge against the ban register (400 `banned_person`, county alerted),
    before the caller's transaction so the alert survives the refusal (bans.refuse_if_banned)."""
    if id_number and not identifiers.id_number_valid(id_number):
        return  # the field rule refuses it; an invalid number matches no ban
    bans.refuse_if_banned(
        actor=actor,
        region_code=region_code,
        institution=institution,
        id_number=id_number,
        id_hash=id_hash,
        person_role=BanAlert.PersonRole.PERSON_IN_CHARGE,
        field="person_in_charge_id_number",
    )


def create_filing(*, actor: User, registration: Registration, data: Mapping[str, Any]) -> Filing:
    """Open a draft filing; a banned person in charge is refused first (api.md 1.1 "Bans")."""
    number = identifiers.normalise_identifier(data.get("person_in_charge_id_number") or "")
    if number and actor.role == Role.OPERATOR:
        visible = (
            Registration.objects.visible_to(actor)
            .select_related("institution")
            .filter(pk=registration.pk)
            .first()
        )
        if visible is not None:
            _check_person_in_charge_ban(
                actor=actor,
                institution=visible.institution,
                region_code=visible.region_id,
                id_number=number,
            )
    return _create_filing(actor=actor, registration=registration, data=data)


@transaction.atomic(durable=True)
def _create_filing(*, actor: User, registration: Registration, data: Mapping[str, Any]) -> Filing:
    """Open a draft filing for an approved registration the operator belongs to.

    Outsiders get 404 (the registration is not theirs to see); a registration that is not
    approved yet is `registration_not_approved`. Side effect: a history row draft→draft.
    """
    if actor.role != Role.OPERATOR:
        raise NotPermitted(_("只有举办者可以办理备案。"))
    visible = (
        Registration.objects.visible_to(actor)
        .select_related("institution")
        .filter(pk=registration.pk)
        .first()
    )
    if visible is None:
        raise NotFound
    registration = visible
    if registration.status != RegistrationStatus.APPROVED:
        raise DomainError.single(
            "registration_not_approved",
            _("登记尚未通过（当前状态：%(status)s），请在登记机关登记后再备案。")
            % {"status": registration.get_status_display()},
            "registration",
        )
    if (
        Filing.objects.filter(institution=registration.institution)
        .exclude(status=FilingStatus.DEREGISTERED)
        .exists()
    ):
        raise DomainError.single(
            "filing_exists", _("该机构已有一份未注销的备案，请在原备案中继续办理。"), "registration"
        )
    filing = Filing(
        institution=registration.institution,
        registration=registration,
        region_id=registration.region_id,
        care_modes=list(registration.care_modes),
    )
    classes = _apply_data(filing, data, actor=actor)
    ensure_valid(filing)
    filing.save()
    _save_classes(filing, classes)
    FilingTransition.objects.create(
        filing=filing, from_status="", to_status=FilingStatus.DRAFT, actor=actor
    )
    return filing


def update_filing_draft(filing: Filing, *, actor: User, data: Mapping[str, Any]) -> Filing:
    """Autosave (below); a banned person in charge is refused first (api.md 1.1 "Bans")."""
    number = identifiers.normalise_identifier(data.get("person_in_charge_id_number") or "")
    if number:
        ensure_operator(filing, actor)
        _check_person_in_charge_ban(
            actor=actor,
            institution=filing.institution,
            region_code=filing.region_id,
            id_number=number,
        )
    return _update_filing_draft(filing, actor=actor, data=data)


@transaction.atomic(durable=True)
def _update_filing_draft(filing: Filing, *, actor: User, data: Mapping[str, Any]) -> Filing:
    """Autosave: store whatever part of the 备案书 the operator has filled in.

    Only in `draft` or `supplement_requested` (409 otherwise). Partial data is fine; standards are
    reported by `readiness`, not enforced here, so the operator never loses typing.
    """
    filing = lock_filing(filing)
    ensure_operator(filing, actor)
    workflow.ensure_status(filing, Filing.EDITABLE, FilingStatus.DRAFT.label)
    classes = _apply_data(filing, data, actor=actor)
    ensure_valid(filing)
    filing.save()
    _save_classes(filing, classes)
    return filing


# ---------------------------------------------------------------------------------------------
# Transitions


def filing_clock_deadlines(
    region_code: str, received_on: date, *, prefetched: Prefetched | None = None
) -> tuple[Deadline, Deadline]:
    """The 5-day receipt and 15-day conformity deadlines of a filing received on `received_on`
    (Beijing date, not counted), with the rule values in force that day. Submission and the
    recompute after a holiday schedule is loaded both use this."""
    receipt = working_deadline(
        received_on,
        int(value_for("receipt_working_days", region_code, received_on)),
        region_code,
        prefetched=prefetched,
    )
    conformity = working_deadline(
        received_on,
        int(value_for("conformity_working_days", region_code, received_on)),
        region_code,
        prefetched=prefetched,
    )
    return receipt, conformity


def submit_filing(filing: Filing, *, actor: User) -> Filing:
    """Submit (below); the stored person in charge is checked against the register again, since
    a ban may have been recorded after the draft was saved."""
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    if filing.person_in_charge_id_hash:
        ensure_operator(filing, actor)
        _check_person_in_charge_ban(
            actor=actor,
            institution=filing.institution,
            region_code=filing.region_id,
            id_hash=filing.person_in_charge_id_hash,
        )
    return _submit_filing(filing, actor=actor)


@transaction.atomic(durable=True)
def _submit_filing(filing: Filing, *, actor: User) -> Filing:
    """Operator submits (or resubmits after a supplement request) the filing.

    Runs every check and refuses with all broken rules at once. On success: received_at now,
    the 5 and 15 working-day clocks from the Beijing date of receipt (that day not counted),
    documents locked, the open supplement request resolved, history row.
    """
    filing = lock_filing(filing)
    ensure_operator(filing, actor)
    _ensure_action(filing, "submit")
    collect(run_submission_checks(filing))
    now = timezone.now()
    received_on = _beijing_date(now)
    receipt, conformity = filing_clock_deadlines(filing.region_id, received_on)
    resolved = SupplementRequest.objects.open().filter(filing=filing).update(resolved_at=now)
    workflow.record_transition(
        FilingTransition,
        filing,
        to=FilingStatus.SUBMITTED,
        actor=actor,
        details={"resubmission": bool(resolved), "receipt_due": receipt.due.isoformat()},
    )
    filing.status = FilingStatus.SUBMITTED
    filing.received_at = now
    filing.receipt_due = receipt.due
    filing.conformity_due = conformity.due
    filing.clocks_provisional = receipt.provisional or conformity.provisional
    filing.documents.filter(locked=False).update(locked=True)
    ensure_valid(filing)
    filing.save()
    return filing


def _valid_items(items: Any) -> list[RuleViolation]:
    allowed = set(DocumentKind.values) | set(FILING_FIELDS)
    problems: list[RuleViolation] = []
    if not isinstance(items, list) or not items:
        return [RuleViolation("items_required", _("请列出需要补正的全部事项。"), "items")]
    seen: set[str] = set()
    for index, entry in enumerate(items):
        item = entry.get("item") if isinstance(entry, dict) else None
        if item not in allowed:
            problems.append(
                RuleViolation(
                    "supplement_item_invalid",
                    _("“%(item)s”不是材料类型或备案书字段。") % {"item": item},
                    f"items[{index}].item",
                )
            )
        elif item in seen:
            problems.append(
                RuleViolation(
                    "supplement_item_duplicate",
                    _("“%(item)s”重复列出。") % {"item": item},
                    f"items[{index}].item",
                )
            )
        seen.add(str(item))
    return problems


@transaction.atomic(durable=True)
def request_supplement(
    filing: Filing, *, actor: User, items: list[dict[str, str]], note: str = ""
) -> Filing:
    """Reviewer tells the operator, at once, every item to supply or correct (一次性告知).

    Items are document kinds or 备案书 field names, each with a note; one open request at a time.
    The named document kinds may be uploaded again while `supplement_requested`.
    """
    filing = lock_filing(filing)
    ensure_reviewer(filing, actor)
    _ensure_action(filing, "supplement")
    collect(_valid_items(items))
    clean = [{"item": str(e["item"]), "note": str(e.get("note") or "")} for e in items]
    request = SupplementRequest(filing=filing, items=clean, note=note, requested_by=actor)
    ensure_valid(request)
    request.save()
    workflow.record_transition(
        FilingTransition,
        filing,
        to=FilingStatus.SUPPLEMENT_REQUESTED,
        actor=actor,
        reason=note,
        details={"items": clean, "supplement_request": request.pk},
    )
    filing.status = FilingStatus.SUPPLEMENT_REQUESTED
    ensure_valid(filing)
    filing.save()
    return filing


def format_filing_number(region_code: str, year: int, sequence: int) -> str:
    """The region's format (rule filing_number_format), by default `<county code>-<year>-<5-digit
    sequence>`, e.g. 371103-2026-00001; the rule's check keeps county, year and sequence in it."""
    pattern = str(value_for("filing_number_format", region_code))
    return pattern.format(region=region_code, year=year, seq=sequence)


def next_filing_number(region_code: str, year: int) -> str:
    """Take the next number for a county and year. Must run inside the accept transaction.

    The counter row is created race-free (INSERT … ON CONFLICT DO NOTHING), then locked: a
    concurrent accept waits for this transaction and sees its increment, so numbers are unique,
    and a rollback returns the number, so there are no gaps.
    """
    FilingNumberCounter.objects.bulk_create(
        [FilingNumberCounter(region_id=region_code, year=year, last=0)], ignore_conflicts=True
    )
    counter = FilingNumberCounter.objects.select_for_update().get(region_id=region_code, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_filing_number(region_code, year, counter.last)


@transaction.atomic(durable=True)
def accept_filing(filing: Filing, *, actor: User) -> Filing:
    """Reviewer accepts complete materials: `filed`, a filing number, the 备案回执 issued.

    Filing is an acknowledgement, not a licence. The receipt PDF is rendered on request from
    the stored facts (registry.receipts), so nothing slow runs in this transaction.
    """
    filing = lock_filing(filing)
    ensure_reviewer(filing, actor)
    _ensure_action(filing, "accept")
    now = timezone.now()
    today = _beijing_date(now)
    number = next_filing_number(filing.region_id, today.year)
    workflow.record_transition(
        FilingTransition,
        filing,
        to=FilingStatus.FILED,
        actor=actor,
        details={"filing_number": number},
    )
    filing.status = FilingStatus.FILED
    filing.filing_number = number
    filing.filed_on = today
    filing.receipt_issued_at = now
    filing.issued_rules = receipts.issue_snapshot(filing, today)
    ensure_valid(filing)
    filing.save()
    return filing


@transaction.atomic(durable=True)
def mark_nonconforming(filing: Filing, *, actor: User, reasons: list[str]) -> Filing:
    """Reviewer finds a filed institution does not conform: reasons recorded and published."""
    filing = lock_filing(filing)
    ensure_reviewer(filing, actor)
    _ensure_action(filing, "nonconforming")
    clean = [str(r).strip() for r in reasons or [] if str(r).strip()]
    if not clean:
        raise DomainError.single("reasons_required", _("请写明不符合设置标准的原因。"), "reasons")
    workflow.record_transition(
        FilingTransition,
        filing,
        to=FilingStatus.NONCONFORMING,
        actor=actor,
        details={"reasons": clean},
    )
    filing.status = FilingStatus.NONCONFORMING
    filing.nonconformity_reasons = clean
    filing.conformity_decided_at = timezone.now()
    ensure_valid(filing)
    filing.save()
    from registry.services.watches import record_public_change

    record_public_change(filing, kind="nonconforming", detail="；".join(clean))
    return filing


@transaction.atomic(durable=True)
def mark_conforming(filing: Filing, *, actor: User, note: str = "") -> Filing:
    """Reviewer confirms a nonconforming institution now conforms: back to `filed`.

    The earlier reasons stay in the history row; the public page stops showing them.
    """
    filing = lock_filing(filing)
    ensure_reviewer(filing, actor)
    _ensure_action(filing, "conforming")
    workflow.record_transition(
        FilingTransition,
        filing,
        to=FilingStatus.FILED,
        actor=actor,
        reason=note,
        details={"previous_reasons": filing.nonconformity_reasons},
    )
    filing.status = FilingStatus.FILED
    filing.nonconformity_reasons = []
    filing.conformity_decided_at = timezone.now()
    ensure_valid(filing)
    filing.save()
    return filing
