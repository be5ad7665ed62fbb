"""The eligibility engine (domain §6): live facts in, every broken rule out, each with its code.

`check(facts)` is pure and holds the rules; `facts_for(claim)` reads the live facts (filing,
region rules, compliance, entitlements already taken). Services call `evaluate(claim)` at submit
and again at approve, so a filing that lost its status, a fee raised over the cap or a critical
finding opened in between stops the payment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.utils.translation import gettext_lazy as _

from inspections import selectors as inspection_selectors
from registry.models import Filing, FilingStatus, Institution
from tuoyu_portal.exceptions import RuleViolation
from tuoyu_portal.regions import rules

from .amounts import format_month, months_between
from .models import AwardClaim, ChildMonthClaim, Claim, SchemeKind, StartupClassClaim


# ── Compliance hooks ────────────────────────────────────────────────────────────────────────
# The inspections app owns findings and enforcement actions; these two functions are the only
# place subsidies asks it, through its selectors (subsidies may read inspections, style.md §1).
def open_critical_findings(institution: Institution) -> int:
    """1 when the institution has a critical finding not yet verified as rectified, else 0."""
    return int(inspection_selectors.has_open_critical_finding(institution.pk))


def quality_grade(institution: Institution) -> str | None:
    """The grade of the institution's latest published quality assessment, if it has one."""
    return inspection_selectors.latest_quality_grade(institution.pk)


def enforcement_in_force(institution: Institution, on: date) -> bool:
    """Whether an enforcement action against the institution is neither lifted nor expired."""
    return inspection_selectors.has_enforcement_in_force(institution.pk, on)


# ── Facts and rules ─────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class ChildFacts:
    ordinal: int
    birth_date: date | None
    months: tuple[date, ...]


@dataclass(frozen=True)
class EligibilityFacts:
    kind: str
    filing_status: str
    inclusive: bool
    monthly_fee: Decimal | None
    fee_cap: Decimal | None
    filed_places: int
    filed_classes: int
    open_critical_findings: int = 0
    enforcement_in_force: bool = False
    months: tuple[date, ...] = ()
    places_claimed: tuple[int, ...] = ()
    classes_claimed: int = 0
    classes_already_claimed: int = 0
    children: tuple[ChildFacts, ...] = ()
    child_max_age_years: int = 3
    duplicates: tuple[RuleViolation, ...] = field(default_factory=tuple)
    # demonstration_award only: the institution's quality grade and the grade the scheme needs.
    quality_grade: str | None = None
    required_grade: str | None = None


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year: the birthday is 1 March.
        return date(born.year + years, 3, 1)


def check(facts: EligibilityFacts) -> list[RuleViolation]:
    """Every rule of domain §6 against the facts; an empty list means eligible."""
    out: list[RuleViolation] = []
    if facts.filing_status != FilingStatus.FILED:
        out.append(
            RuleViolation(
                "not_eligible_not_filed",
                _("机构备案状态不是“已备案”，不能申请补贴。"),
                "filing",
            )
        )
    if not facts.inclusive:
        out.append(
            RuleViolation(
                "not_eligible_not_inclusive",
                _("只有普惠性托育机构可以申请补贴，本机构备案为非普惠。"),
                "filing",
            )
        )
    if (
        facts.fee_cap is not None
        and facts.monthly_fee is not None
        and facts.monthly_fee > facts.fee_cap
    ):
        out.append(
            RuleViolation(
                "not_eligible_fee_over_cap",
                _("月收费 %(fee)s 元超过本地普惠收费上限 %(cap)s 元。")
                % {"fee": facts.monthly_fee, "cap": facts.fee_cap},
                "filing",
            )
        )
    if facts.open_critical_findings:
        out.append(
            RuleViolation(
                "not_eligible_open_critical_finding",
                _("机构有严重问题尚未整改验收，整改验收后方可申请。"),
                "filing",
            )
        )
    if facts.enforcement_in_force:
        out.append(
            RuleViolation(
                "not_eligible_enforcement_in_force",
                _("机构正处于行政处罚或责令整改期间，不能申请补贴。"),
                "filing",
            )
        )
    out.extend(_capacity(facts))
    out.extend(_demonstration_grade(facts))
    for child in facts.children:
        if child.birth_date is None:
            continue
        limit = _birthday(child.birth_date, facts.child_max_age_years)
        late = [m for m in child.months if m >= limit]
        if late:
            out.append(
                RuleViolation(
                    "not_eligible_child_over_3",
                    _("第%(n)s名幼儿在 %(months)s 已满%(age)s周岁，这些月份不能申请保育费补助。")
                    % {
                        "n": child.ordinal,
                        "months": _("、").join(format_month(m) for m in late),
                        "age": facts.child_max_age_years,
                    },
                    f"lines[{child.ordinal - 1}].months",
                )
            )
    out.extend(facts.duplicates)
    return out


GRADES = ("A", "B", "C", "D")  # best first


def _demonstration_grade(facts: EligibilityFacts) -> list[RuleViolation]:
    """示范奖励 only for an institution assessed at (or above) the demonstration grade."""
    if facts.kind != SchemeKind.DEMONSTRATION_AWARD or facts.required_grade not in GRADES:
        return []
    grade = facts.quality_grade
    if grade in GRADES and GRADES.index(grade) <= GRADES.index(facts.required_grade):
        return []
    if grade in GRADES:
        message = _(
            "示范奖励须达到示范标准（质量评估%(required)s级），本机构最近一次评估为%(grade)s级。"
        )
    else:
        message = _(
            "示范奖励须达到示范标准（质量评估%(required)s级），本机构尚无公开的质量评估结果。"
        )
    return [
        RuleViolation(
            "demonstration_grade_required",
            message % {"required": facts.required_grade, "grade": grade},
            "filing",
        )
    ]


def _capacity(facts: EligibilityFacts) -> list[RuleViolation]:
    """claim_exceeds_places: never more places, children or classes than the filing has."""
    if facts.kind == SchemeKind.PLACE_OPERATION:
        over = [p for p in facts.places_claimed if p > facts.filed_places]
        if over:
            return [
                RuleViolation(
                    "claim_exceeds_places",
                    _("申请托位数 %(claimed)s 超过备案托位数 %(filed)s。")
                    % {"claimed": max(over), "filed": facts.filed_places},
                    "lines",
                )
            ]
    elif facts.kind == SchemeKind.STARTUP:
        if facts.classes_claimed > facts.filed_classes:
            return [
                RuleViolation(
                    "claim_exceeds_places",
                    _("申请班级数 %(claimed)s 超过备案班级数 %(filed)s。")
                    % {"claimed": facts.classes_claimed, "filed": facts.filed_classes},
                    "lines",
                )
            ]
    elif facts.kind == SchemeKind.FAMILY_FEE:
        per_month = Counter(m for child in facts.children for m in set(child.months))
        over_months = sorted(m for m, n in per_month.items() if n > facts.filed_places)
        if over_months:
            return [
                RuleViolation(
                    "claim_exceeds_places",
                    _("%(month)s 申请幼儿人数超过备案托位数 %(filed)s。")
                    % {"month": format_month(over_months[0]), "filed": facts.filed_places},
                    "lines",
                )
            ]
    return []


def duplicate_violations(claim: Claim) -> list[RuleViolation]:
    """Entitlements of this claim already held by another live claim (any institution).

    Read before inserting so the operator sees every duplicate at once; the partial unique
    indexes remain the real guard against races.
    """
    out: list[RuleViolation] = []
    if claim.kind == SchemeKind.FAMILY_FEE:
        for index, line in enumerate(claim.lines.all()):
            taken = sorted(
                ChildMonthClaim.objects.filter(
                    child_id_hash=line.child_id_hash, month__in=line.months, released=False
                )
                .exclude(claim=claim)
                .values_list("month", flat=True)
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
    elif claim.kind == SchemeKind.STARTUP:
        held = (
            StartupClassClaim.objects.filter(filing=claim.filing_id, released=False)
            .exclude(claim=claim)
            .count()
        )
        classes = sum(line.classes or 0 for line in claim.lines.all())
        filed = claim.filing.classes.count()
        if held and held + classes > filed:
            out.append(
                RuleViolation(
                    "duplicate_claim",
                    _("已有 %(held)s 个班级申请过开办补助，本次申请的班级超出未申请的班级数。")
                    % {"held": held},
                    "lines",
                )
            )
    elif claim.kind == SchemeKind.DEMONSTRATION_AWARD:
        award_taken = (
            AwardClaim.objects.filter(institution=claim.institution_id, released=False)
            .exclude(claim=claim)
            .exists()
        )
        if award_taken:
            out.append(
                RuleViolation(
                    "duplicate_claim",
                    _("本机构已申请过示范奖励，不能重复申请。"),
                    None,
                )
            )
    return out


def facts_for(claim: Claim, *, on: date, with_duplicates: bool = True) -> EligibilityFacts:
    """Read the live facts of a claim's filing, region and compliance."""
    filing: Filing = claim.filing
    # A fixed cap, or 岚山's "2× the provincial demonstration kindergarten toddler-class fee".
    cap = rules.inclusive_fee_cap(filing.region_id, on)
    max_age = rules.value_for("subsidy_child_max_age_years", filing.region_id, on)
    lines = list(claim.lines.all())
    months = tuple(months_between(claim.period_start, claim.period_end))
    if claim.kind == SchemeKind.PLACE_OPERATION:
        places = tuple(line.places or 0 for line in lines)
    else:
        places = ()
    return EligibilityFacts(
        kind=claim.kind,
        filing_status=filing.status,
        inclusive=filing.inclusive,
        monthly_fee=filing.monthly_fee,
        fee_cap=cap,
        filed_places=filing.places or 0,
        filed_classes=filing.classes.count(),
        open_critical_findings=open_critical_findings(filing.institution),
        enforcement_in_force=enforcement_in_force(filing.institution, on),
        months=months,
        places_claimed=places,
        classes_claimed=sum(line.classes or 0 for line in lines),
        children=tuple(
            ChildFacts(index + 1, line.child_birth_date, tuple(line.months))
            for index, line in enumerate(lines)
            if claim.kind == SchemeKind.FAMILY_FEE
        ),
        child_max_age_years=int(max_age),
        duplicates=tuple(duplicate_violations(claim)) if with_duplicates else (),
        **_grade_facts(claim, filing, on),
    )


class _GradeFacts(TypedDict, total=False):
    quality_grade: str | None
    required_grade: str | None


def _grade_facts(claim: Claim, filing: Filing, on: date) -> _GradeFacts:
    """Read the grade only for the award that asks for it (one query less for the others)."""
    if claim.kind != SchemeKind.DEMONSTRATION_AWARD:
        return {}
    required = rules.value_for("demonstration_award_min_grade", filing.region_id, on)
    return {
        "quality_grade": quality_grade(filing.institution),
        "required_grade": str(required).upper() if required else None,
    }


def evaluate(claim: Claim, *, on: date, with_duplicates: bool = True) -> list[RuleViolation]:
    return check(facts_for(claim, on=on, with_duplicates=with_duplicates))
