"""Every state change of a subsidy claim: create, edit, submit, approve, reject, request changes.

Each service locks the claim, guards the move with Claim.TRANSITIONS (409), writes a
ClaimTransition row in the same transaction and raises DomainError listing every broken rule.
A refused request changes nothing: the whole transaction rolls back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Filing
from tuoyu_portal import crypto, workflow
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.exceptions import (
    DomainError,
    NotPermitted,
    RuleViolation,
    collect,
)
from tuoyu_portal.identifiers import birth_date_of, id_number_valid
from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import ancestor_codes

from .. import attendance, eligibility, notifications
from ..amounts import compute_amount, first_of_month, format_month, months_between
from ..models import (
    ONE_OFF_KINDS,
    AwardClaim,
    ChildMonthClaim,
    Claim,
    ClaimLine,
    ClaimStatus,
    ClaimTransition,
    Scheme,
    SchemeKind,
    StartupClassClaim,
)


@dataclass(frozen=True)
class LineInput:
    """One claim line as the operator sent it (already type-checked by the serializer/form)."""

    classes: int | None = None
    places: int | None = None
    child_name: str = ""
    child_id_number: str = ""
    birth_order: int | None = None
    months: tuple[date, ...] = ()
    parent_contact: str = ""  # where parents confirm attendance


def _duplicate(message: Any, field: str | None = None) -> DomainError:
    return DomainError.single("duplicate_claim", message, field)


# ── Input rules ────────────────────────────────────────────────────────────────────────────
def validate_input(
    filing: Filing,
    *,
    scheme: Scheme,
    period_start: date,
    period_end: date,
    lines: Sequence[LineInput],
) -> list[RuleViolation]:
    """Field rules checked as early as possible (at create/edit and again at submit)."""
    out: list[RuleViolation] = []
    if scheme.region_id not in ancestor_codes(filing.region_id):
        out.append(
            RuleViolation(
                "scheme_region_mismatch",
                _("所选补贴标准不适用于机构所在县（市、区）。"),
                "scheme",
            )
        )
    if period_end < period_start:
        out.append(RuleViolation("invalid_period", _("截止月份不能早于起始月份。"), "period_end"))
    if scheme.kind in ONE_OFF_KINDS and period_start != period_end:
        out.append(
            RuleViolation("invalid_period", _("一次性补助的起止月份必须相同。"), "period_end")
        )
    kind = scheme.kind
    months = set(months_between(period_start, period_end))
    if kind == SchemeKind.DEMONSTRATION_AWARD and lines:
        out.append(RuleViolation("invalid_lines", _("示范奖励不需要填写明细。"), "lines"))
    elif kind == SchemeKind.STARTUP:
        if len(lines) != 1 or not lines[0].classes:
            out.append(
                RuleViolation("invalid_lines", _("请填写一行开办班级数（至少1个）。"), "lines")
            )
    elif kind == SchemeKind.PLACE_OPERATION:
        if len(lines) not in {1, len(months)} or any(not line.places for line in lines):
            out.append(
                RuleViolation(
                    "invalid_lines",
                    _("请填写托位数：一行（每月相同）或每月一行，每行至少1个托位。"),
                    "lines",
                )
            )
    elif kind == SchemeKind.FAMILY_FEE:
        if not lines:
            out.append(RuleViolation("invalid_lines", _("请至少填写一名幼儿。"), "lines"))
        seen: set[str] = set()
        for index, line in enumerate(lines):
            out.extend(_child_line_violations(index, line, months, seen))
        out.extend(attendance.contact_violations(filing.region_id, lines))
    return out


def _child_line_violations(
    index: int, line: LineInput, months: set[date], seen: set[str]
) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    where = f"lines[{index}]"
    n = index + 1
    if not line.child_name.strip():
        out.append(
            RuleViolation(
                "required", _("第%(n)s名幼儿：请填写姓名。") % {"n": n}, f"{where}.child_name"
            )
        )
    number = crypto.normalise_id(line.child_id_number)
    born: date | None = None
    if not id_number_valid(number):
        out.append(
            RuleViolation(
                "invalid_id_number",
                _("第%(n)s名幼儿：身份证号码无效。") % {"n": n},
                f"{where}.child_id_number",
            )
        )
    else:
        born = birth_date_of(number)
        if number in seen:
            out.append(
                RuleViolation(
                    "duplicate_child_in_claim",
                    _("第%(n)s名幼儿在本申请中重复出现。") % {"n": n},
                    f"{where}.child_id_number",
                )
            )
        seen.add(number)
    if line.birth_order is None or line.birth_order < 2:
        out.append(
            RuleViolation(
                "invalid_birth_order",
                _("第%(n)s名幼儿：保育费补助适用于二孩及以上（孩次须为2或更大）。") % {"n": n},
                f"{where}.birth_order",
            )
        )
    if not line.months:
        out.append(
            RuleViolation(
                "required", _("第%(n)s名幼儿：请填写在托月份。") % {"n": n}, f"{where}.months"
            )
        )
    outside = sorted(m for m in line.months if m not in months)
    if outside:
        out.append(
            RuleViolation(
                "month_outside_period",
                _("第%(n)s名幼儿：%(months)s 不在申请期间内。")
                % {"n": n, "months": _("、").join(format_month(m) for m in outside)},
                f"{where}.months",
            )
        )
    if born is not None:
        early = sorted(m for m in line.months if m < first_of_month(born))
        if early:
            out.append(
                RuleViolation(
                    "month_before_birth",
                    _("第%(n)s名幼儿：%(months)s 早于出生月份。")
                    % {"n": n, "months": _("、").join(format_month(m) for m in early)},
                    f"{where}.months",
                )
            )
    return out


def dedupe_key(
    filing: Filing, *, kind: str, period_start: date, period_end: date, lines: Sequence[LineInput]
) -> str:
    """The same filing, kind, period and lines always give the same key (IDs only as hashes)."""
    payload = {
        "filing": filing.pk,
        "kind": kind,
        "period": [period_start.isoformat(), period_end.isoformat()],
        "lines": [
            {
                "classes": line.classes,
                "places": line.places,
                "child": crypto.keyed_hash(line.child_id_number) if line.child_id_number else "",
                "birth_order": line.birth_order,
                "months": sorted(m.isoformat() for m in line.months),
            }
            for line in lines
        ],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _child_month_taken(
    kind: str, lines: Sequence[LineInput], *, exclude_claim: int | None = None
) -> list[RuleViolation]:
    """Child-months of these lines already in another live claim, draft or not (any institution).

    Why at creation too : a second draft of a taken child-month could never be
    submitted. Two creations at once are serialised by a transaction-scoped advisory lock per
    child (in a fixed order, so two claims of the same children cannot deadlock); the check then
    reads every committed claim. Submission keeps the unique index as its own guard.
    """
    if kind != SchemeKind.FAMILY_FEE:
        return []
    hashes = [
        crypto.keyed_hash(crypto.normalise_id(line.child_id_number)) if line.child_id_number else ""
        for line in lines
    ]
    with connection.cursor() as cursor:
        for child_hash in sorted({h for h in hashes if h}):
            # 63 bits of the keyed hash: a collision only serialises two unrelated children.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(child_hash[:15], 16)])
    out: list[RuleViolation] = []
    for index, (line, child_hash) in enumerate(zip(lines, hashes, strict=True)):
        if not child_hash or not line.months:
            continue
        others = ClaimLine.objects.filter(
            child_id_hash=child_hash, months__overlap=list(line.months)
        ).exclude(claim__status=ClaimStatus.REJECTED)
        if exclude_claim is not None:
            others = others.exclude(claim_id=exclude_claim)
        taken = sorted(
            {m for row in others.values_list("months", flat=True) for m in row} & set(line.months)
        )
        if taken:
            out.append(
                RuleViolation(
                    "duplicate_claim",
                    _("第%(n)s名幼儿 %(months)s 的保育费补助已被申请，不能重复申请。")
                    % {"n": index + 1, "months": _("、").join(format_month(m) for m in taken)},
                    f"lines[{index}].months",
                )
            )
    return out


# ── Guards ───────────────────────────────────────────────────────────────────────────────
def _ensure_member(filing: Filing, actor: User) -> None:
    if not (
        actor.role == Role.OPERATOR
        and Membership.objects.filter(institution_id=filing.institution_id, user=actor).exists()
    ):
        raise NotPermitted(_("只有本机构的举办者或负责人可以办理补贴申请。"))


def _ensure_officer(claim: Claim, actor: User) -> None:
    if not (actor.role == Role.SUBSIDY_OFFICER and actor.region_contains(claim.region_id)):
        raise NotPermitted(_("只有本地区的补贴审核人员可以审核补贴申请。"))


def _write_lines(claim: Claim, kind: str, lines: Sequence[LineInput]) -> None:
    claim.lines.all().delete()
    rows = []
    for ordinal, line in enumerate(lines, start=1):
        row = ClaimLine(claim=claim, ordinal=ordinal, classes=line.classes, places=line.places)
        if kind == SchemeKind.FAMILY_FEE:
            number = crypto.normalise_id(line.child_id_number)
            row.child_name = line.child_name.strip()
            row.child_id_encrypted = crypto.encrypt(number)
            row.child_id_hash = crypto.keyed_hash(number)
            row.child_id_masked = crypto.mask_id(number)
            row.child_birth_date = birth_date_of(number)
            row.birth_order = line.birth_order
            row.months = sorted(set(line.months))
            contact = line.parent_contact.strip()
            row.parent_contact_encrypted = crypto.encrypt(contact) if contact else ""
        rows.append(row)
    ClaimLine.objects.bulk_create(rows)


def _price(claim: Claim) -> list[RuleViolation]:
    result = compute_amount(
        kind=claim.kind,
        region_code=claim.region_id,
        period_start=claim.period_start,
        period_end=claim.period_end,
        lines=list(claim.lines.all()),
    )
    claim.amount = result.total
    claim.breakdown = [item.as_dict() for item in result.items]
    return result.violations


# ── Services ─────────────────────────────────────────────────────────────────────────────
@transaction.atomic(durable=True)
def create_claim(
    filing: Filing,
    *,
    actor: User,
    scheme: Scheme,
    period_start: date,
    period_end: date,
    lines: Sequence[LineInput],
) -> Claim:
    """Create a draft claim for a filing the operator belongs to, priced as a preview.

    Identical claims (same filing, kind, period and lines) collapse to one through the
    `claim_dedupe_unique_live` index: a repeated or concurrent identical POST gets a 400
    `duplicate_claim` instead of a second claim.
    """
    _ensure_member(filing, actor)
    period_start, period_end = first_of_month(period_start), first_of_month(period_end)
    collect(
        validate_input(
            filing, scheme=scheme, period_start=period_start, period_end=period_end, lines=lines
        )
    )
    collect(_child_month_taken(scheme.kind, lines))
    claim = Claim(
        filing=filing,
        institution_id=filing.institution_id,
        region_id=filing.region_id,
        scheme=scheme,
        kind=scheme.kind,
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
        dedupe_key=dedupe_key(
            filing,
            kind=scheme.kind,
            period_start=period_start,
            period_end=period_end,
            lines=lines,
        ),
    )
    # The dedupe index is the guard (a pre-check would race); IntegrityError answers below.
    claim.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise _duplicate(_("相同的补贴申请已经存在，请勿重复提交。"))
    _write_lines(claim, claim.kind, lines)
    collect(_price(claim))
    claim.save(update_fields=["amount", "breakdown", "updated_at"])
    ClaimTransition.objects.create(
        claim=claim, from_status="", to_status=ClaimStatus.DRAFT, actor=actor
    )
    return claim


@transaction.atomic(durable=True)
def update_claim(
    claim: Claim,
    *,
    actor: User,
    scheme: Scheme,
    period_start: date,
    period_end: date,
    lines: Sequence[LineInput],
) -> Claim:
    """Replace the scheme, period and lines of a draft or returned claim (operator only)."""
    claim = Claim.objects.select_for_update().select_related("filing").get(pk=claim.pk)
    _ensure_member(claim.filing, actor)
    workflow.ensure_status(claim, Claim.EDITABLE, ClaimStatus.DRAFT.label)
    period_start, period_end = first_of_month(period_start), first_of_month(period_end)
    collect(
        validate_input(
            claim.filing,
            scheme=scheme,
            period_start=period_start,
            period_end=period_end,
            lines=lines,
        )
    )
    collect(_child_month_taken(scheme.kind, lines, exclude_claim=claim.pk))
    claim.scheme, claim.kind = scheme, scheme.kind
    claim.period_start, claim.period_end = period_start, period_end
    claim.dedupe_key = dedupe_key(
        claim.filing,
        kind=scheme.kind,
        period_start=period_start,
        period_end=period_end,
        lines=lines,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise _duplicate(_("相同的补贴申请已经存在，请勿重复提交。"))
    _write_lines(claim, claim.kind, lines)
    collect(_price(claim))
    claim.save(update_fields=["amount", "breakdown", "updated_at"])
    return claim


def _take_entitlements(claim: Claim) -> None:
    """Insert the once-only rows; the partial unique indexes refuse a second live holder."""
    # A resubmission after changes_requested replaces what the claim held before.
    ChildMonthClaim.objects.filter(claim=claim).delete()
    StartupClassClaim.objects.filter(claim=claim).delete()
    AwardClaim.objects.filter(claim=claim).delete()
    lines = list(claim.lines.all())
    try:
        with transaction.atomic():
            if claim.kind == SchemeKind.FAMILY_FEE:
                ChildMonthClaim.objects.bulk_create(
                    ChildMonthClaim(claim=claim, child_id_hash=line.child_id_hash, month=month)
                    for line in lines
                    for month in line.months
                )
            elif claim.kind == SchemeKind.STARTUP:
                held = StartupClassClaim.objects.filter(
                    filing=claim.filing_id, released=False
                ).count()
                classes = sum(line.classes or 0 for line in lines)
                StartupClassClaim.objects.bulk_create(
                    StartupClassClaim(claim=claim, filing_id=claim.filing_id, class_ordinal=n)
                    for n in range(held + 1, held + classes + 1)
                )
            elif claim.kind == SchemeKind.DEMONSTRATION_AWARD:
                AwardClaim.objects.create(claim=claim, institution_id=claim.institution_id)
    except IntegrityError:
        # Lost a race with another submission of the same child-month / class / award.
        raise _duplicate(_("该补贴事项刚刚已被其他申请占用，不能重复申请。"))


def _release_entitlements(claim: Claim) -> None:
    for model in (ChildMonthClaim, StartupClassClaim, AwardClaim):
        model.objects.filter(claim=claim).update(released=True)


@transaction.atomic(durable=True)
def submit_claim(claim: Claim, *, actor: User) -> Claim:
    """Submit a draft or returned claim (operator of the institution).

    Runs the field rules, prices every month from the scheme in force, runs the eligibility
    engine on live facts and takes the once-only entitlements, all in one transaction; any
    broken rule refuses the whole submission with every violation listed.
    """
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("filing", "scheme")
        .get(pk=claim.pk)
    )
    _ensure_member(claim.filing, actor)
    workflow.ensure_transition(claim, ClaimStatus.SUBMITTED)
    lines = [
        LineInput(
            classes=line.classes,
            places=line.places,
            child_name=line.child_name,
            child_id_number=crypto.decrypt(line.child_id_encrypted)
            if line.child_id_encrypted
            else "",
            birth_order=line.birth_order,
            months=tuple(line.months),
            parent_contact=crypto.decrypt(line.parent_contact_encrypted)
            if line.parent_contact_encrypted
            else "",
        )
        for line in claim.lines.all()
    ]
    violations = validate_input(
        claim.filing,
        scheme=claim.scheme,
        period_start=claim.period_start,
        period_end=claim.period_end,
        lines=lines,
    )
    violations += _price(claim)
    violations += eligibility.evaluate(claim, on=timezone.localdate())
    collect(violations)
    _take_entitlements(claim)
    attendance.open_confirmation(claim)
    workflow.record_transition(
        ClaimTransition,
        claim,
        to=ClaimStatus.SUBMITTED,
        actor=actor,
        details={"amount": str(claim.amount)},
    )
    claim.status, claim.submitted_at = ClaimStatus.SUBMITTED, timezone.now()
    claim.decision_reason = ""
    claim.save(
        update_fields=[
            "status",
            "submitted_at",
            "amount",
            "breakdown",
            "decision_reason",
            "updated_at",
        ]
    )
    return claim


def audit_sampled(claim_id: int, share: float) -> bool:
    """Deterministic sampling: a claim's id hashes to a point in [0, 1); below `share` → sampled.

    Deterministic so the decision can be reproduced by an auditor and tested exactly.
    """
    digest = hashlib.sha256(f"subsidy-audit:{claim_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 0x1_0000_0000 < share


@transaction.atomic(durable=True)
def approve_claim(claim: Claim, *, actor: User, note: str = "") -> Claim:
    """Approve a submitted claim (subsidy officer of the region).

    The eligibility engine runs again on today's facts (the entitlements are already held by
    this claim). A configurable share of approved claims, and every claim at or over the amount
    threshold, is flagged for document review.
    """
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("filing", "scheme")
        .get(pk=claim.pk)
    )
    _ensure_officer(claim, actor)
    workflow.ensure_transition(claim, ClaimStatus.APPROVED)
    collect(
        [
            *eligibility.evaluate(claim, on=timezone.localdate(), with_duplicates=False),
            *attendance.approval_violations(claim),
        ]
    )
    share = float(rules.value_for("subsidy_audit_sample_share", claim.region_id) or 0)
    threshold = rules.value_for("subsidy_audit_amount_threshold", claim.region_id)
    over = threshold is not None and claim.amount >= Decimal(str(threshold))
    flagged = over or audit_sampled(claim.pk, share)
    transition = workflow.record_transition(
        ClaimTransition,
        claim,
        to=ClaimStatus.APPROVED,
        actor=actor,
        reason=note,
        details={"audit_flagged": flagged, "amount_over_threshold": over},
    )
    claim.status, claim.decided_at, claim.decided_by = ClaimStatus.APPROVED, timezone.now(), actor
    claim.audit_flagged, claim.decision_reason = flagged, note
    claim.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "audit_flagged",
            "decision_reason",
            "updated_at",
        ]
    )
    notifications.claim_decided(claim, transition_id=transition.pk)
    return claim


def _reason_required(reason: str) -> None:
    if not reason.strip():
        raise DomainError.single("reason_required", _("请填写理由。"), "reason")


@transaction.atomic(durable=True)
def reject_claim(claim: Claim, *, actor: User, reason: str) -> Claim:
    """Reject a submitted claim with a reason (officer). Frees its child-months, classes and
    award so a correct claim can take them."""
    _reason_required(reason)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _ensure_officer(claim, actor)
    workflow.ensure_transition(claim, ClaimStatus.REJECTED)
    _release_entitlements(claim)
    transition = workflow.record_transition(
        ClaimTransition, claim, to=ClaimStatus.REJECTED, actor=actor, reason=reason
    )
    claim.status, claim.decided_at, claim.decided_by = ClaimStatus.REJECTED, timezone.now(), actor
    claim.decision_reason = reason
    claim.save(
        update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"]
    )
    notifications.claim_decided(claim, transition_id=transition.pk)
    return claim


@transaction.atomic(durable=True)
def request_changes(claim: Claim, *, actor: User, reason: str) -> Claim:
    """Return a submitted claim to the operator with what to change (officer). The claim keeps
    its entitlements meanwhile (api.md: only `rejected` frees them)."""
    _reason_required(reason)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _ensure_officer(claim, actor)
    workflow.ensure_transition(claim, ClaimStatus.CHANGES_REQUESTED)
    transition = workflow.record_transition(
        ClaimTransition, claim, to=ClaimStatus.CHANGES_REQUESTED, actor=actor, reason=reason
    )
    claim.status, claim.decision_reason = ClaimStatus.CHANGES_REQUESTED, reason
    claim.save(update_fields=["status", "decision_reason", "updated_at"])
    notifications.claim_decided(claim, transition_id=transition.pk)
    return claim
