"""Explainable risk-based scheduling: a score per filing, made of named parts with the reason
for each, and the date the next visit is due.

score = days since last visit × w_days
      + Σ open findings × w_open_<severity}
      + past (verified) findings in the look-back × w_past
      + substantiated complaints in the look-back × w_complaint
      + (filed less than `risk_new_institution_days` ago) × w_new
      + enforcement actions in the look-back × w_enforcement
      + (lease ends within `risk_expiring_days`) × w_expiring
due_on = (last visit, else filing date) + inspection_interval_days
         − round((score − the days part) × risk_days_per_point)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from registry.models import Filing
from tuoyu_portal.regions.rules import RULES, values_for

from ..models import Complaint, ComplaintStatus, EnforcementAction, Finding, FindingStatus, Severity

RISK_KEYS = [
    "inspection_interval_days",
    "risk_weight_days_since_visit",
    "risk_weight_open_minor",
    "risk_weight_open_major",
    "risk_weight_open_critical",
    "risk_weight_past_finding",
    "risk_weight_complaint",
    "risk_weight_new_institution",
    "risk_weight_enforcement",
    "risk_weight_expiring_credentials",
    "risk_lookback_days",
    "risk_new_institution_days",
    "risk_expiring_days",
    "risk_days_per_point",
]


@dataclass
class RiskAssessment:
    filing_id: int
    score: Decimal
    due_on: date
    last_visit: date | None
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def is_due(self, today: date) -> bool:
        return self.due_on <= today


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def annotate_risk_facts(filings: QuerySet[Filing], today: date, lookback_days: int) -> QuerySet:
    """One query for every fact the score needs (no N+1 on the due list)."""
    since = today - timedelta(days=lookback_days)
    inst = OuterRef("institution_id")

    def count_of(qs: QuerySet) -> Subquery:
        return Subquery(
            qs.order_by().values("institution_id").annotate(n=Count("id")).values("n")[:1]
        )

    findings = Finding.objects.filter(institution_id=inst, technical_advice=False)
    return filings.annotate(
        last_visit=Max("inspections__visited_on", filter=Q(inspections__visited_on__lte=today)),
        open_minor=count_of(findings.exclude(status=FindingStatus.VERIFIED).filter(severity=Severity.MINOR)),
        open_major=count_of(findings.exclude(status=FindingStatus.VERIFIED).filter(severity=Severity.MAJOR)),
        open_critical=count_of(findings.exclude(status=FindingStatus.VERIFIED).filter(severity=Severity.CRITICAL)),
        past_findings=count_of(
            findings.filter(status=FindingStatus.VERIFIED, inspection__visited_on__gte=since)
        ),
        substantiated_complaints=count_of(
            Complaint.objects.filter(
                institution_id=inst, status=ComplaintStatus.SUBSTANTIATED, created_at__date__gte=since
            )
        ),
        enforcement_count=count_of(
            EnforcementAction.objects.filter(institution_id=inst, decided_on__gte=since)
        ),
    )  # fmt: skip


def assess(filing: Any, today: date, rules: dict[str, Any]) -> RiskAssessment:
    """Score one annotated filing (see the module docstring); every non-zero part is a reason."""
    reasons: list[dict[str, Any]] = []

    def part(code: str, label: str, count: Any, weight: Any) -> Decimal:
        points = _d(count or 0) * _d(weight)
        if points:
            reasons.append({"code": code, "label": label, "count": count, "points": float(points)})
        return points

    base = filing.last_visit or filing.filed_on or today
    days = max((today - base).days, 0)
    days_part = part(
        "days_since_visit",
        (
            _("距上次检查%(days)s天") % {"days": days}
            if filing.last_visit
            else _("备案后%(days)s天未检查") % {"days": days}
        ),
        days,
        rules["risk_weight_days_since_visit"],
    )
    other = _record_parts(filing, rules, part) + _profile_parts(filing, today, rules, part)
    advance = int((other * _d(rules["risk_days_per_point"])).to_integral_value())
    due_on = base + timedelta(days=int(rules["inspection_interval_days"]) - advance)
    return RiskAssessment(
        filing_id=filing.pk,
        score=days_part + other,
        due_on=due_on,
        last_visit=filing.last_visit,
        reasons=reasons,
    )  # fmt: skip


Part = Callable[[str, str, Any, Any], Decimal]


def _record_parts(filing: Any, rules: dict[str, Any], part: Part) -> Decimal:
    """Points from the institution's record: open and past findings, complaints, penalties."""
    other = Decimal(0)
    for severity, label in (("minor", _("一般")), ("major", _("较重")), ("critical", _("严重"))):
        count = getattr(filing, f"open_{severity}") or 0
        other += part(
            f"open_{severity}",
            _("未整改%(severity)s问题%(count)s个") % {"severity": label, "count": count},
            count,
            rules[f"risk_weight_open_{severity}"],
        )
    past = filing.past_findings or 0
    other += part(
        "past_findings",
        _("近期已整改问题%(count)s个") % {"count": past},
        past,
        rules["risk_weight_past_finding"],
    )
    complaints = filing.substantiated_complaints or 0
    other += part(
        "complaints",
        _("查证属实投诉%(count)s起") % {"count": complaints},
        complaints,
        rules["risk_weight_complaint"],
    )
    return other


def _profile_parts(filing: Any, today: date, rules: dict[str, Any], part: Part) -> Decimal:
    """Points from what the institution is: new, penalised, its lease running out."""
    new = bool(
        filing.filed_on and (today - filing.filed_on).days < int(rules["risk_new_institution_days"])
    )
    other = part(
        "new_institution", _("备案未满一年的新机构"), int(new), rules["risk_weight_new_institution"]
    )
    enforcement = filing.enforcement_count or 0
    other += part(
        "enforcement",
        _("行政处罚%(count)s项") % {"count": enforcement},
        enforcement,
        rules["risk_weight_enforcement"],
    )
    expiring = bool(
        filing.lease_end
        and filing.lease_end <= today + timedelta(days=int(rules["risk_expiring_days"]))
    )
    other += part(
        "expiring_credentials",
        _("场地租期即将到期"),
        int(expiring),
        rules["risk_weight_expiring_credentials"],
    )
    return other


def assess_filings(filings: QuerySet[Filing], today: date) -> list[RiskAssessment]:
    """Assess each filing against its own region's rules (one rules query per region)."""
    rows = list(annotate_risk_facts(filings, today, int(RULES["risk_lookback_days"].default)))
    by_region: dict[str, dict[str, Any]] = {}
    result = []
    for filing in rows:
        rules = by_region.setdefault(
            filing.region_id, values_for(RISK_KEYS, filing.region_id, today)
        )
        result.append(assess(filing, today, rules))
    return result


def due_for_visit(
    filings: QuerySet[Filing], today: date, horizon_days: int = 30
) -> list[tuple[Filing, RiskAssessment]]:
    """Active filings whose next visit is due within `horizon_days`, soonest (riskiest) first."""
    active = filings.filter(status__in=Filing.PUBLIC_STATUSES).select_related("institution")
    by_id = {f.pk: f for f in active}
    assessed = assess_filings(active, today)
    due = [
        (by_id[a.filing_id], a)
        for a in assessed
        if a.due_on <= today + timedelta(days=horizon_days)
    ]
    return sorted(due, key=lambda pair: (pair[1].due_on, -pair[1].score))
