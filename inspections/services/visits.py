"""Recording visits: observed classes against the standards engine, checklist answers, quality
score and grade, follow-ups scheduled from a finding."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registry import standards
from registry.models import ClassType, Filing
from tuoyu_portal.accounts.models import Department, User
from tuoyu_portal.exceptions import DomainError, RuleViolation, collect
from tuoyu_portal.regions.rules import value_for

from .. import checklists
from ..models import ChecklistTemplate, Finding, Inspection, InspectionKind, QualityGrade
from .common import ensure_inspector_for
from .summary import refresh_summary


def parse_observed_classes(raw: Any, field: str = "observed_classes") -> list[dict[str, Any]]:
    """Validate `[{"class_type", "children", "carers"}]`; every problem is listed at once."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise DomainError.single("invalid", _("现场班级情况须为列表。"), field)
    found: list[RuleViolation] = []
    clean: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            found.append(RuleViolation("invalid", _("班级信息格式不正确。"), where))
            continue
        class_type = item.get("class_type")
        if class_type not in ClassType.values:
            found.append(RuleViolation("invalid_class_type", _("班型不正确。"), where))
        numbers: dict[str, int] = {}
        for key in ("children", "carers"):
            value = item.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                found.append(RuleViolation("invalid", _("幼儿数和保育人员数须为非负整数。"), where))
            else:
                numbers[key] = value
        if len(numbers) == 2 and class_type in ClassType.values:
            clean.append({"class_type": class_type, **numbers})
    collect(found)
    return clean


def check_observed(
    classes: list[dict[str, Any]], region_code: str, on: date, places: int | None = None
) -> list[dict]:
    """Run the standards engine on what the inspector counted on the day, and the count of
    children against the filed places (a warning: enrolment over capacity)."""
    facts = [standards.ClassFacts(**c) for c in classes]
    found = standards.check_classes(
        facts, standards.standards_for(region_code, on), field_name="observed_classes"
    )
    if classes:
        found += standards.check_enrolment(sum(c["children"] for c in classes), places)
    return [{k: str(v) if v is not None else None for k, v in asdict(v).items()} for v in found]


def over_capacity(check: list[dict[str, Any]]) -> bool:
    return any(item.get("rule") == "enrolment_over_capacity" for item in check)


def grade_quality(
    template: ChecklistTemplate | None, answers: dict[str, Any], region_code: str
) -> tuple[Decimal | None, str]:
    """WS/T 821—2023: sum of item scores (each capped at its points); any failed veto item → D;
    otherwise A–D by the region's thresholds."""
    if template is None or template.kind != InspectionKind.QUALITY:
        return None, ""
    total = Decimal(0)
    vetoed = False
    for item in template.items:
        answer = answers.get(item["code"]) or {}
        if item.get("veto"):
            vetoed = vetoed or answer.get("ok") is False
            continue
        try:
            score = Decimal(str(answer.get("score") or 0))
        except ArithmeticError:
            score = Decimal(0)
        total += max(Decimal(0), min(score, Decimal(item.get("points", 0))))
    if vetoed:
        return total, QualityGrade.D
    for grade in ("a", "b", "c"):
        if total >= Decimal(str(value_for(f"quality_grade_{grade}_min", region_code))):
            return total, grade.upper()
    return total, QualityGrade.D


def _check_answers(
    template: ChecklistTemplate | None,
    answers: dict[str, Any],
    region_code: str = "",
    on: date | None = None,
) -> list[RuleViolation]:
    """Answers name items of the chosen template version (with the region's own items on the
    day of the visit), and nothing else."""
    if not answers:
        return []
    if template is None:
        return [
            RuleViolation(
                "checklist_required", _("填写检查表结果前请选择检查表。"), "checklist_answers"
            )
        ]
    codes = {item["code"] for item in checklists.items_for(template, region_code, on)}
    unknown = sorted(set(answers) - codes)
    if unknown:
        return [
            RuleViolation(
                "unknown_checklist_item",
                _("检查表中没有这些项目：%(codes)s。") % {"codes": _("、").join(unknown)},
                "checklist_answers",
            )
        ]
    return []


def _validate(
    *,
    kind: str,
    departments: list[str],
    checklist_template: ChecklistTemplate | None,
    answers: dict[str, Any] | None = None,
    region_code: str = "",
    on: date | None = None,
) -> None:
    found: list[RuleViolation] = _check_answers(checklist_template, answers or {}, region_code, on)
    if kind not in InspectionKind.values:
        found.append(RuleViolation("invalid_choice", _("检查类型不正确。"), "kind"))
    if any(d not in Department.values for d in departments):
        found.append(RuleViolation("invalid_choice", _("参与部门不正确。"), "departments"))
    if checklist_template is not None and not checklist_template.published:
        found.append(
            RuleViolation(
                "checklist_not_published", _("该检查表版本未发布。"), "checklist_template"
            )
        )
    collect(found)


# Not durable: the inspection admin saves through it inside its change-form transaction.
@transaction.atomic
def record_inspection(
    filing: Filing,
    *,
    actor: User,
    kind: str,
    visited_on: date,
    departments: list[str] | None = None,
    notes: str = "",
    observed_classes: Any = None,
    checklist_template: ChecklistTemplate | None = None,
    checklist_answers: dict[str, Any] | None = None,
    inspectors: list[User] | None = None,
    follow_up_of: Finding | None = None,
    published: bool = True,
) -> Inspection:
    """Log a visit. Only an inspector of the filing's region may; the inspector's department is
    always among the departments. Observed classes are checked by the standards engine and the
    result stored; a quality visit is scored and graded. Refreshes the public summary."""
    ensure_inspector_for(filing, actor)
    departments = sorted(set(departments or []) | {actor.department})
    _validate(
        kind=kind,
        departments=departments,
        checklist_template=checklist_template,
        answers=checklist_answers,
        region_code=filing.region_id,
        on=visited_on,
    )
    if filing.status not in Filing.PUBLIC_STATUSES:
        raise DomainError.single(
            "filing_not_active", _("只能检查已备案（含不符合标准、注销中）的机构。"), "filing"
        )
    classes = parse_observed_classes(observed_classes)
    answers = checklist_answers or {}
    score, grade = grade_quality(checklist_template, answers, filing.region_id)
    found = check_observed(classes, filing.region_id, visited_on, filing.places)
    inspection = Inspection(
        filing=filing,
        institution_id=filing.institution_id,
        region_id=filing.region_id,
        kind=kind,
        departments=departments,
        visited_on=visited_on,
        notes=notes,
        observed_classes=classes,
        standards_check=found,
        over_capacity=over_capacity(found),
        checklist_template=checklist_template,
        checklist_answers=answers,
        quality_score=score,
        quality_grade=grade,
        follow_up_of=follow_up_of,
        created_by=actor,
        published=published,
    )
    inspection.full_clean()
    inspection.save()
    inspection.inspectors.add(actor, *(inspectors or []))
    refresh_summary(filing.pk)
    return inspection


# Not durable: the inspection admin saves through it inside its change-form transaction.
@transaction.atomic
def update_inspection(
    inspection: Inspection,
    *,
    actor: User,
    notes: str | None = None,
    observed_classes: Any = None,
    checklist_answers: dict[str, Any] | None = None,
    published: bool | None = None,
    inspectors: list[User] | None = None,
) -> Inspection:
    """Correct a visit's record (same inspector region); re-runs the checks and the summary.
    New `inspectors` replace the visit's; whoever corrects the record is always among them."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    ensure_inspector_for(inspection.filing, actor)
    if notes is not None:
        inspection.notes = notes
    if observed_classes is not None:
        inspection.observed_classes = parse_observed_classes(observed_classes)
        inspection.standards_check = check_observed(
            inspection.observed_classes,
            inspection.region_id,
            inspection.visited_on,
            inspection.filing.places,
        )
        inspection.over_capacity = over_capacity(inspection.standards_check)
    if checklist_answers is not None:
        collect(
            _check_answers(
                inspection.checklist_template,
                checklist_answers,
                inspection.region_id,
                inspection.visited_on,
            )
        )
        inspection.checklist_answers = checklist_answers
        inspection.quality_score, inspection.quality_grade = grade_quality(
            inspection.checklist_template, checklist_answers, inspection.region_id
        )
    if published is not None:
        inspection.published = published
    inspection.full_clean()
    inspection.save()
    if inspectors is not None:
        inspection.inspectors.set([actor, *inspectors])
    refresh_summary(inspection.filing_id)
    return inspection


def schedule_follow_up(finding: Finding, *, actor: User, visited_on: date) -> Inspection:
    """A follow-up visit (复查) linked to the finding it checks."""
    return record_inspection(
        finding.inspection.filing,
        actor=actor,
        kind=InspectionKind.FOLLOW_UP,
        visited_on=visited_on,
        departments=list(finding.inspection.departments),
        notes=str(_("复查：%(rule)s") % {"rule": finding.rule}),
        follow_up_of=finding,
    )
