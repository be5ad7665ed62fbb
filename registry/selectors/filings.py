"""Readiness, submission checks and clocks of a filing (read-only; reusable by change filings)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, cast

from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import standards
from registry.materials import MATERIALS_BY_KIND, required_kinds
from registry.models import (
    DocumentKind,
    Filing,
    FilingDocument,
    FilingStatus,
    RegistrationStatus,
)
from tuoyu_portal.exceptions import (
    RuleViolation,
)
from tuoyu_portal.regions.calendar import (
    is_base_workday,
    overrides_for,
    overrides_for_many,
    working_days_between,
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
        home_based=filing.institution.home_based,
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
            # REQUIRED_AT_SUBMIT names concrete fields.
            label = cast("Field[Any, Any]", Filing._meta.get_field(name)).verbose_name
            found.append(
                RuleViolation(
                    "required",
                    _("请填写“%(label)s”。") % {"label": label},
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


# Span of the override rows fetched once per list page: every live clock and the due dates of
# the last few years (closed filings still show their countdown).
_BACK = timedelta(days=6 * 366)
_AHEAD = timedelta(days=366)


@functools.cache
def _base_counts() -> tuple[date, list[int]]:
    """counts[i] = national working days in (origin, origin + i], computed once per process:
    the statutory calendar is static data, only the override rows can change at run time."""
    origin, end = date(2000, 1, 1), date(2040, 12, 31)
    counts = [0]
    day = origin
    while day < end:
        day += timedelta(days=1)
        counts.append(counts[-1] + (1 if is_base_workday(day) else 0))
    return origin, counts


def _days_between(
    today: date, due: date, overrides: list[tuple[date, bool]], start: date, end: date
) -> int | None:
    """working_days_between(today, due) from the cached counts plus the page's override rows;
    None when a date lies outside what the counts and the fetched overrides cover."""
    origin, counts = _base_counts()
    lo, hi = min(today, due), max(today, due)
    if lo < start or hi > end or lo < origin or (hi - origin).days >= len(counts):
        return None
    n = counts[(hi - origin).days] - counts[(lo - origin).days]
    for day, is_workday in overrides:
        if lo < day <= hi:
            n += int(is_workday) - int(is_base_workday(day))
    return n if due >= today else -n


def page_overrides(today: date, regions: set[str]) -> dict[str, dict[date, bool]]:
    """Calendar overrides of each region around `today`, the window clocks() reads (one query)."""
    return overrides_for_many(today - _BACK, today + _AHEAD, regions)


class ClockFacts(Protocol):
    """What clocks() reads: a filing, or a stand-in with its attributes (a change, a list row)."""

    @property
    def status(self) -> str: ...
    @property
    def region_id(self) -> str: ...
    @property
    def received_at(self) -> datetime | None: ...
    @property
    def receipt_due(self) -> date | None: ...
    @property
    def conformity_due(self) -> date | None: ...
    @property
    def clocks_provisional(self) -> bool: ...
    @property
    def conformity_decided_at(self) -> datetime | None: ...


def clocks(
    filing: ClockFacts,
    *,
    today: date | None = None,
    memo: dict[tuple[Any, ...], Any] | None = None,
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
            # Lists fetch the region's override rows once per page and count with the cached
            # national calendar, so each row's countdown is a subtraction instead of a query
            # and a day-by-day walk (measured by bench/).
            span = ("overrides", today, region)
            if span not in memo:
                memo[span] = sorted(overrides_for(today - _BACK, today + _AHEAD, region).items())
            n = _days_between(today, due, memo[span], today - _BACK, today + _AHEAD)
            memo[key] = working_days_between(today, due, region) if n is None else n
        return memo[key]

    result: dict[str, Any] = {
        "received_on": _beijing_date(filing.received_at) if filing.received_at else None,
        "receipt_due": filing.receipt_due,
        "conformity_due": filing.conformity_due,
        "provisional": filing.clocks_provisional,
        "receipt_running": filing.status == FilingStatus.SUBMITTED,
        "conformity_running": filing.status in (FilingStatus.SUBMITTED, FilingStatus.FILED)
        and filing.conformity_decided_at is None
        and filing.conformity_due is not None
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
