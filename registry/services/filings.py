"""Filing (备案) workflow services: drafts, readiness, submission, review, documents.

Every write goes through here (style.md §4): row lock, TRANSITIONS guard (409), a
FilingTransition history row in the same transaction, full_clean before save. Bad input raises
DomainError listing every broken rule at once (400); nothing is changed by a refused request.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import standards
from registry.materials import MATERIALS_BY_KIND, required_kinds
from registry.models import (
    DocumentKind,
    Filing,
    FilingClass,
    FilingDocument,
    FilingNumberCounter,
    FilingStatus,
    FilingTransition,
    Registration,
    RegistrationStatus,
    SupplementRequest,
)
from tuoyu_portal import crypto, identifiers, uploads
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    InvalidTransition,
    NotPermitted,
    RuleViolation,
    collect,
)
from tuoyu_portal.regions.calendar import working_days_between, working_deadline
from tuoyu_portal.regions.rules import value_for

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
# Facts the bureau needs before it can accept a filing (checked at submit, shown by readiness).
REQUIRED_AT_SUBMIT: tuple[str, ...] = (
    "person_in_charge_name",
    "care_modes",
    "places",
    "building_area_m2",
    "indoor_area_m2",
    "outdoor_area_m2",
    "children_floor",
    "site_tenure",
)

MAGIC_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


# ---------------------------------------------------------------------------------------------
# Guards and history


def _full_clean(obj: Any) -> None:
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


def _lock(filing: Filing) -> Filing:
    # Row lock: two reviewers (or a reviewer and the operator) acting at once serialise here.
    return Filing.objects.select_for_update().get(pk=filing.pk)


def _ensure(filing: Filing, target: str, sources: Iterable[str] | None = None) -> None:
    """The TRANSITIONS table decides; `sources` narrows it for actions with one meaning."""
    if not filing.can_become(target) or (sources is not None and filing.status not in sources):
        raise InvalidTransition(filing.get_status_display(), FilingStatus(target).label)


def _record(
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


def _ensure_operator(filing: Filing, actor: User) -> None:
    if (
        actor.role != Role.OPERATOR
        or not filing.institution.memberships.filter(user=actor).exists()
    ):
        raise NotPermitted(_("只有本机构的举办者或工作人员可以办理。"))


def _ensure_reviewer(filing: Filing, actor: User) -> None:
    """County health reviewers of the filing's county (or above it) act on filings."""
    if actor.role != Role.HEALTH_REVIEWER:
        raise NotPermitted(_("只有县级卫生健康部门审核人员可以办理。"))
    if not Filing.objects.visible_to(actor).filter(pk=filing.pk).exists():
        raise Http404


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
        number = (data["person_in_charge_id_number"] or "").strip().upper()
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


@transaction.atomic
def create_filing(*, actor: User, registration: Registration, data: Mapping[str, Any]) -> Filing:
    """Open a draft filing for an approved registration the operator belongs to.

    Outsiders get 404 (the registration is not theirs to see); a registration that is not
    approved yet is `registration_not_approved`. Side effect: a history row draft→draft.
    """
    if actor.role != Role.OPERATOR:
        raise NotPermitted(_("只有举办者可以办理备案。"))
    registration = (
        Registration.objects.visible_to(actor)
        .select_related("institution")
        .filter(pk=registration.pk)
        .first()
    )
    if registration is None:
        raise Http404
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
    _full_clean(filing)
    filing.save()
    _save_classes(filing, classes)
    FilingTransition.objects.create(
        filing=filing, from_status="", to_status=FilingStatus.DRAFT, actor=actor
    )
    return filing


@transaction.atomic
def update_filing_draft(filing: Filing, *, actor: User, data: Mapping[str, Any]) -> Filing:
    """Autosave: store whatever part of the 备案书 the operator has filled in.

    Only in `draft` or `supplement_requested` (409 otherwise). Partial data is fine; standards are
    reported by `readiness`, not enforced here, so the operator never loses typing.
    """
    filing = _lock(filing)
    _ensure_operator(filing, actor)
    if filing.status not in Filing.EDITABLE:
        raise InvalidTransition(filing.get_status_display(), FilingStatus.DRAFT.label)
    classes = _apply_data(filing, data, actor=actor)
    _full_clean(filing)
    filing.save()
    _save_classes(filing, classes)
    return filing


# ---------------------------------------------------------------------------------------------
# Checks


def facts_for(filing: Filing) -> standards.SiteFacts:
    return standards.SiteFacts(
        places=filing.places,
        classes=tuple(
            standards.ClassFacts(c.class_type, c.children, c.carers, c.min_age_months)
            for c in filing.classes.all()
        ),
        children_floor=filing.children_floor,
        site_tenure=filing.site_tenure,
        lease_end=filing.lease_end,
        indoor_area_m2=filing.indoor_area_m2,
        outdoor_area_m2=filing.outdoor_area_m2,
        meals=filing.meals,
        health_workers=filing.staff_health_workers,
        cooks=filing.staff_cooks,
    )


def standards_check(filing: Filing, *, on: date | None = None) -> list[standards.Violation]:
    """The standards engine's findings (errors and warnings) for this filing's facts."""
    return standards.check_all(facts_for(filing), filing.region_id, on=on)


def current_documents(filing: Filing) -> list[FilingDocument]:
    return list(filing.documents.filter(superseded_by__isnull=True).order_by("kind", "id"))


def missing_kinds(filing: Filing) -> list[str]:
    present = {d.kind for d in current_documents(filing)}
    return [kind for kind in required_kinds(filing.meals) if kind not in present]


def run_submission_checks(filing: Filing, *, on: date | None = None) -> list[RuleViolation]:
    """Every rule a submission must pass, as RuleViolations (errors only), all at once.

    Reusable by change filings: registration approved, every required material present (one
    `documents_missing` per kind; `food_license_required` when meals are cooked on site),
    required 备案书 facts, the 承诺书, and every error of the standards engine.
    """
    found: list[RuleViolation] = []
    if filing.registration.status != RegistrationStatus.APPROVED:
        found.append(
            RuleViolation(
                "registration_not_approved",
                _("登记状态为“%(status)s”，须为已登记。")
                % {"status": filing.registration.get_status_display()},
                "registration",
            )
        )
    for kind in missing_kinds(filing):
        material = MATERIALS_BY_KIND[kind]
        if kind == DocumentKind.FOOD_LICENSE:
            found.append(
                RuleViolation(
                    "food_license_required",
                    _("自行加工膳食须上传食品经营许可证（由%(issuer)s出具）。")
                    % {"issuer": material.issuer},
                    kind,
                )
            )
        else:
            found.append(
                RuleViolation(
                    "documents_missing",
                    _("缺少材料：%(label)s（出具单位：%(issuer)s）。")
                    % {"label": material.label, "issuer": material.issuer},
                    kind,
                )
            )
    for name in REQUIRED_AT_SUBMIT:
        value = getattr(filing, name)
        if value in (None, "", []):
            found.append(
                RuleViolation(
                    "required",
                    _("请填写“%(label)s”。") % {"label": Filing._meta.get_field(name).verbose_name},
                    name,
                )
            )
    if not filing.person_in_charge_id_hash:
        found.append(
            RuleViolation("required", _("请填写负责人身份证号码。"), "person_in_charge_id_number")
        )
    if not filing.classes.exists():
        found.append(RuleViolation("required", _("请至少填写一个班级。"), "classes"))
    if not filing.commitment_accepted:
        found.append(
            RuleViolation("commitment_required", _("请阅读并签署承诺书。"), "commitment_accepted")
        )
    for violation in standards_check(filing, on=on):
        if violation.severity == "error":
            found.append(RuleViolation(violation.rule, violation.message, violation.field))
    return found


@dataclass
class Readiness:
    """What the readiness page shows before submission."""

    missing_materials: list[dict[str, str]] = field(default_factory=list)
    present_materials: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # blocking, with explanation
    warnings: list[dict[str, Any]] = field(default_factory=list)
    satisfied_rules: list[dict[str, str]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing_materials and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "missing_materials": self.missing_materials,
            "present_materials": self.present_materials,
            "problems": self.problems,
            "warnings": self.warnings,
            "satisfied_rules": self.satisfied_rules,
        }


# Standards the readiness page lists with a ✓ when nothing breaks them.
CHECKED_RULES: tuple[str, ...] = (
    "class_over_size",
    "carer_ratio_below_standard",
    "mixed_class_under_18_months",
    "places_mismatch",
    "children_floor_too_high",
    "underground_children_rooms",
    "lease_too_short",
    "indoor_area_too_small",
    "outdoor_area_too_small",
    "commitment_required",
)


def readiness(filing: Filing) -> Readiness:
    """Before submission: every missing material with its issuer, every broken rule with a
    plain-language explanation, warnings, and the rules already satisfied."""
    result = Readiness()
    present = current_documents(filing)
    for doc in present:
        result.present_materials.append(
            {"kind": doc.kind, "label": str(doc.get_kind_display()), "name": doc.original_name}
        )
    violations = run_submission_checks(filing)
    broken = set()
    for v in violations:
        broken.add(v.code)
        if v.code in ("documents_missing", "food_license_required"):
            material = MATERIALS_BY_KIND[v.field or "other"]
            result.missing_materials.append(
                {
                    "kind": material.kind,
                    "label": str(material.label),
                    "issuer": str(material.issuer),
                    "rule": v.code,
                }
            )
        else:
            result.problems.append(
                {
                    "rule": v.code,
                    "field": v.field,
                    "message": str(v.message),
                    "explanation": standards.explain(v.code),
                }
            )
    for w in standards_check(filing):
        if w.severity == "warning":
            result.warnings.append({**w.as_dict(), "explanation": standards.explain(w.rule)})
    for rule in CHECKED_RULES:
        if rule not in broken:
            result.satisfied_rules.append({"rule": rule, "explanation": standards.explain(rule)})
    return result


# ---------------------------------------------------------------------------------------------
# Clocks


def _beijing_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def clocks(
    filing: Filing,
    *,
    today: date | None = None,
    memo: dict[tuple[date, date, str], int] | None = None,
) -> dict[str, Any]:
    """Working days left on the 5-day receipt and 15-day conformity clocks; overdue flags.

    The receipt clock runs while the filing waits for a decision (`submitted`); the conformity
    clock runs until the bureau has decided or the 15 days have passed after acceptance.
    """
    today = today or timezone.localdate()
    region = filing.region_id
    # Lists pass one memo for all rows: due dates cluster, so a page of the queue costs a few
    # calendar queries, not two per row.
    memo = {} if memo is None else memo

    def days_until(due: date) -> int:
        key = (today, due, region)
        if key not in memo:
            memo[key] = working_days_between(today, due, region)
        return memo[key]

    result: dict[str, Any] = {
        "received_on": _beijing_date(filing.received_at) if filing.received_at else None,
        "receipt_due": filing.receipt_due,
        "conformity_due": filing.conformity_due,
        "provisional": filing.clocks_provisional,
        "receipt_running": filing.status == FilingStatus.SUBMITTED,
        "conformity_running": filing.status in (FilingStatus.SUBMITTED, FilingStatus.FILED)
        and filing.conformity_decided_at is None
        and bool(filing.conformity_due)
        and (filing.status == FilingStatus.SUBMITTED or today <= filing.conformity_due),
        "receipt_days_left": None,
        "conformity_days_left": None,
        "receipt_overdue": False,
        "conformity_overdue": False,
        "receipt_days_overdue": 0,
    }
    if filing.receipt_due:
        result["receipt_days_left"] = days_until(filing.receipt_due)
        result["receipt_overdue"] = result["receipt_running"] and today > filing.receipt_due
        result["receipt_days_overdue"] = (
            max(0, -result["receipt_days_left"]) if result["receipt_overdue"] else 0
        )
    if filing.conformity_due:
        result["conformity_days_left"] = days_until(filing.conformity_due)
        result["conformity_overdue"] = (
            filing.status == FilingStatus.SUBMITTED and today > filing.conformity_due
        )
    return result


# ---------------------------------------------------------------------------------------------
# Transitions


@transaction.atomic
def submit_filing(filing: Filing, *, actor: User) -> Filing:
    """Operator submits (or resubmits after a supplement request) the filing.

    Runs every check and refuses with all broken rules at once. On success: received_at now,
    the 5 and 15 working-day clocks from the Beijing date of receipt (that day not counted),
    documents locked, the open supplement request resolved, history row.
    """
    filing = _lock(filing)
    _ensure_operator(filing, actor)
    _ensure(filing, FilingStatus.SUBMITTED, (FilingStatus.DRAFT, FilingStatus.SUPPLEMENT_REQUESTED))
    collect(run_submission_checks(filing))
    now = timezone.now()
    received_on = _beijing_date(now)
    receipt = working_deadline(
        received_on,
        int(value_for("receipt_working_days", filing.region_id, received_on)),
        filing.region_id,
    )
    conformity = working_deadline(
        received_on,
        int(value_for("conformity_working_days", filing.region_id, received_on)),
        filing.region_id,
    )
    resolved = SupplementRequest.objects.open().filter(filing=filing).update(resolved_at=now)
    _record(
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
    _full_clean(filing)
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


@transaction.atomic
def request_supplement(
    filing: Filing, *, actor: User, items: list[dict[str, str]], note: str = ""
) -> Filing:
    """Reviewer tells the operator, at once, every item to supply or correct (一次性告知).

    Items are document kinds or 备案书 field names, each with a note; one open request at a time.
    The named document kinds may be uploaded again while `supplement_requested`.
    """
    filing = _lock(filing)
    _ensure_reviewer(filing, actor)
    _ensure(filing, FilingStatus.SUPPLEMENT_REQUESTED, (FilingStatus.SUBMITTED,))
    collect(_valid_items(items))
    clean = [{"item": str(e["item"]), "note": str(e.get("note") or "")} for e in items]
    request = SupplementRequest(filing=filing, items=clean, note=note, requested_by=actor)
    _full_clean(request)
    request.save()
    _record(
        filing,
        to=FilingStatus.SUPPLEMENT_REQUESTED,
        actor=actor,
        reason=note,
        details={"items": clean, "supplement_request": request.pk},
    )
    filing.status = FilingStatus.SUPPLEMENT_REQUESTED
    _full_clean(filing)
    filing.save()
    return filing


def format_filing_number(region_code: str, year: int, sequence: int) -> str:
    """`<county code>-<year>-<5-digit sequence>`, e.g. 371103-2026-00001."""
    return f"{region_code}-{year}-{sequence:05d}"


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


@transaction.atomic
def accept_filing(filing: Filing, *, actor: User) -> Filing:
    """Reviewer accepts complete materials: `filed`, a filing number, the 备案回执 issued.

    Filing is an acknowledgement, not a licence. The receipt PDF is rendered on request from
    the stored facts (registry.receipts), so nothing slow runs in this transaction.
    """
    filing = _lock(filing)
    _ensure_reviewer(filing, actor)
    _ensure(filing, FilingStatus.FILED, (FilingStatus.SUBMITTED,))
    now = timezone.now()
    today = _beijing_date(now)
    number = next_filing_number(filing.region_id, today.year)
    _record(filing, to=FilingStatus.FILED, actor=actor, details={"filing_number": number})
    filing.status = FilingStatus.FILED
    filing.filing_number = number
    filing.filed_on = today
    filing.receipt_issued_at = now
    _full_clean(filing)
    filing.save()
    return filing


@transaction.atomic
def mark_nonconforming(filing: Filing, *, actor: User, reasons: list[str]) -> Filing:
    """Reviewer finds a filed institution does not conform: reasons recorded and published."""
    filing = _lock(filing)
    _ensure_reviewer(filing, actor)
    _ensure(filing, FilingStatus.NONCONFORMING, (FilingStatus.FILED,))
    clean = [str(r).strip() for r in reasons or [] if str(r).strip()]
    if not clean:
        raise DomainError.single("reasons_required", _("请写明不符合设置标准的原因。"), "reasons")
    _record(filing, to=FilingStatus.NONCONFORMING, actor=actor, details={"reasons": clean})
    filing.status = FilingStatus.NONCONFORMING
    filing.nonconformity_reasons = clean
    filing.conformity_decided_at = timezone.now()
    _full_clean(filing)
    filing.save()
    return filing


@transaction.atomic
def mark_conforming(filing: Filing, *, actor: User, note: str = "") -> Filing:
    """Reviewer confirms a nonconforming institution now conforms: back to `filed`.

    The earlier reasons stay in the history row; the public page stops showing them.
    """
    filing = _lock(filing)
    _ensure_reviewer(filing, actor)
    _ensure(filing, FilingStatus.FILED, (FilingStatus.NONCONFORMING,))
    _record(
        filing,
        to=FilingStatus.FILED,
        actor=actor,
        reason=note,
        details={"previous_reasons": filing.nonconformity_reasons},
    )
    filing.status = FilingStatus.FILED
    filing.nonconformity_reasons = []
    filing.conformity_decided_at = timezone.now()
    _full_clean(filing)
    filing.save()
    return filing


# ---------------------------------------------------------------------------------------------
# Documents


def sanitise_name(name: str) -> str:
    """Keep a readable original name for display only: no path, no control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "file"


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, suffix in MAGIC_TYPES:
        if head.startswith(magic):
            return content_type, suffix
    return None


@transaction.atomic
def add_document(filing: Filing, *, actor: User, kind: str, upload: UploadedFile) -> FilingDocument:
    """Store one material: PDF/JPEG/PNG by content only, ≤ MAX_DOCUMENT_BYTES, random name,
    SHA-256 while streaming. Refused (`document_locked`) once submitted, except kinds named in
    the open supplement request while `supplement_requested`; such a re-upload supersedes the
    earlier file of that kind, which is kept."""
    filing = _lock(filing)
    _ensure_operator(filing, actor)
    problems: list[RuleViolation] = []
    if kind not in DocumentKind.values:
        problems.append(RuleViolation("invalid_choice", _("材料类型无效。"), "kind"))
    open_request = SupplementRequest.objects.open().filter(filing=filing).first()
    if filing.status == FilingStatus.DRAFT:
        replace = False
    elif (
        filing.status == FilingStatus.SUPPLEMENT_REQUESTED
        and open_request is not None
        and kind in open_request.item_names
    ):
        replace = True
    else:
        problems.append(
            RuleViolation(
                "document_locked",
                _("备案已提交，材料已锁定；只有补正告知中列出的材料可以重新上传。"),
                "kind",
            )
        )
        replace = False
    limit = int(settings.MAX_DOCUMENT_BYTES)
    # The size is known from the request before anything is read: refuse oversize at once.
    if upload.size is None or upload.size > limit:
        problems.append(
            RuleViolation(
                "file_too_large",
                _("文件不得超过%(mb)s MB。") % {"mb": round(limit / 1024 / 1024, 1)},
                "file",
            )
        )
        detected = None
    else:
        upload.seek(0)
        # Whole-file check (scripts in PDFs, polyglots, image bombs): tuoyu_portal/uploads.py.
        detected = sniff(upload.read(8)) if uploads.is_acceptable(upload) else None
        upload.seek(0)
        if detected is None:
            problems.append(
                RuleViolation(
                    "file_type_not_allowed",
                    _("只接受PDF、JPEG或PNG文件（按文件内容判断，与扩展名无关）。"),
                    "file",
                )
            )
    collect(problems)
    assert detected is not None
    content_type, suffix = detected
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size > limit:  # a lying Content-Length: the stream is the truth
        raise DomainError.single("file_too_large", _("文件过大。"), "file")
    upload.seek(0)
    document = FilingDocument(
        filing=filing,
        kind=kind,
        original_name=sanitise_name(upload.name or ""),
        size=size,
        sha256=digest.hexdigest(),
        content_type=content_type,
        uploaded_by=actor,
    )
    # The storage name comes from upload_to (uuid) and the suffix from the content, never the
    # user's file name.
    document.file.save(f"upload{suffix}", upload, save=False)
    _full_clean(document)
    document.save()
    if replace:
        filing.documents.filter(kind=kind, superseded_by__isnull=True).exclude(
            pk=document.pk
        ).update(superseded_by=document)
    return document
