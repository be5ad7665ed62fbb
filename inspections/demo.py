"""A year of supervision in the demo counties (called by `seed_demo` after registry.demo.plan).

Visits with findings at every severity (some put right and verified, some awaiting
verification, some past their deadline), complaints in every state, and the plan's `suspended`
institution under an order to stop service. Every row goes through the inspections services on
the clock of its date (registry.demo.at). Idempotent: a filed demo institution that already has a
visit is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import Group

from registry.demo import plan as registry_demo
from registry.models import Filing
from tuoyu_portal.accounts.models import User

from .models import ChecklistTemplate, ComplaintStatus, Inspection
from .services import complaints, enforcement, findings, visits

# (severity, rule, description, what the operator put right)
FINDINGS = [
    (
        "minor",
        "托育机构保育指导大纲（试行）",
        "午睡室未张贴作息时间表，部分婴幼儿床位间距不足。",
        "已张贴作息时间表，调整床位间距至0.5米以上。",
    ),
    (
        "minor",
        "托育机构管理规范（试行）第二十条",
        "收费项目和食谱未在显著位置公示。",
        "已在入口公示栏公示收费项目、每周食谱。",
    ),
    (
        "major",
        "托育机构管理规范（试行）第三十二条",
        "监控录像只保存了30天，规定至少保存90天。",
        "已更换存储设备，录像保存期限调整为90天。",
    ),
    (
        "major",
        "托育机构保育指导大纲（试行）",
        "晨午检记录缺失近两周，未见全日健康观察记录。",
        "已补建晨午检登记制度，保健人员每日签字。",
    ),
    (
        "critical",
        "托育机构设置标准（试行）第十一条",
        "二楼活动室窗户未安装防护栏，存在坠落风险。",
        "已安装符合标准的防护栏并经验收。",
    ),
    (
        "critical",
        "食品安全法第三十三条",
        "厨房生熟食品混放，未落实48小时食品留样。",
        "已分区存放生熟食品，配备留样冰箱并专人记录。",
    ),
]

COMPLAINTS = [
    "孩子接回时多次发现尿布长时间未更换。",
    "机构实际收托人数明显多于公示的托位数，教室很拥挤。",
    "每月额外收取材料费，事先没有告知家长。",
    "接送时门口无人值守，陌生人可以随意进入。",
    "午餐分量少，孩子回家总说饿。",
    "保育老师更换频繁，孩子一直哭闹不适应。",
]
COMPLAINT_OUTCOMES = {
    ComplaintStatus.SUBSTANTIATED: "经现场核查，情况属实，已责令机构限期整改并跟踪复查。",
    ComplaintStatus.UNSUBSTANTIATED: "经调阅监控和现场核查，未发现所反映的问题，已向投诉人反馈。",
}
STOP_SERVICE_BASIS = "《托育机构管理规范（试行）》；存在严重安全隐患，责令停止托育服务"


@dataclass
class Visit:
    filing: Filing
    operator: str
    at: datetime
    findings: list[tuple[int, str]]  # (index into FINDINGS, outcome: open | submitted | verified)


def _moment(day: date, rng: random.Random) -> datetime:
    minute = rng.randint(9 * 60, 16 * 60)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=registry_demo.BEIJING)


def seed(stdout: Any) -> None:
    today = datetime.now(registry_demo.BEIJING).date()
    plan = registry_demo.build_plan(today)
    spec = {c["code"]: c for c in registry_demo.description()["counties"]}
    counts = {"visits": 0, "findings": 0, "complaints": 0}
    group = Group.objects.filter(name="inspectors").first()
    for code, county in spec.items():
        inspector = User.objects.filter(username=county["inspector"]).first()
        reviewer = User.objects.filter(username=county["reviewer"]).first()
        if inspector is None or reviewer is None:
            continue
        if group is not None:
            inspector.groups.add(group)
        planned = [p for p in plan if p.county == code]
        _seed_county(planned, inspector, reviewer, today, counts)
    findings.flag_overdue_findings(today=today)
    stdout.write(
        f"inspections: {counts['visits']} visits, {counts['findings']} findings, "
        f"{counts['complaints']} complaints"
    )


def _seed_county(
    planned: list[registry_demo.PlannedInstitution],
    inspector: User,
    reviewer: User,
    today: date,
    counts: dict[str, int],
) -> None:
    # A fixed seed for repeatable demo data, not for anything secret.
    rng = random.Random(registry_demo.description()["seed"] + int(planned[0].county))  # nosec B311
    public = {f.institution.name: f for f in Filing.objects.public().select_related("institution")}
    filed = [p for p in planned if p.name in public and p.reached("accept") and not p.quiet]
    visited = {
        f
        for f in Inspection.objects.filter(filing__region_id=planned[0].county).values_list(
            "filing_id", flat=True
        )
    }
    template = ChecklistTemplate.objects.filter(code="routine", published=True).first()
    for p in planned:
        if p.quiet and p.name in public and public[p.name].pk not in visited:
            _journey_visit(public[p.name], inspector, template, today, counts)
    for n, p in enumerate(filed):
        filing = public[p.name]
        if filing.pk in visited:
            continue
        filed_on = p.step_date("accept")
        if (today - filed_on).days < 20 and p.scenario != "suspended":
            continue  # too newly filed for a visit
        # Findings rotate through every severity and outcome; every fifth visit finds nothing.
        outcomes = ["verified", "submitted", "open"]
        found = [] if n % 5 == 4 else [(n % len(FINDINGS), outcomes[n % 3])]
        if n % 4 == 0:
            found.append(((n + 3) % len(FINDINGS), outcomes[(n + 1) % 3]))
        if p.scenario == "suspended":
            found = [(4, "open")]
        days_since = (today - filed_on).days
        visit_ago = rng.randint(3, min(days_since - 1, 150)) if days_since > 4 else 1
        if p.scenario == "suspended":
            visit_ago = min(12, days_since - 1)
        visit = Visit(filing, p.operator, _moment(today - timedelta(days=visit_ago), rng), found)
        _visit(visit, p, inspector, reviewer, template, today, counts)
        if n % 3 == 0:
            _complaint(filing, p, reviewer, n, today, rng, counts)


def _journey_visit(
    filing: Filing,
    inspector: User,
    template: ChecklistTemplate | None,
    today: date,
    counts: dict[str, int],
) -> None:
    """The named institutions the journeys use get the one visit they show the public: a major
    finding past its deadline and a piece of technical advice; nothing that stops a subsidy."""
    visited_on = today - timedelta(days=20)
    with registry_demo.at(_moment(visited_on, random.Random(filing.pk))):  # nosec B311
        inspection = visits.record_inspection(
            filing,
            actor=inspector,
            kind="routine",
            visited_on=visited_on,
            notes="日常巡查：现场查看监控、晨午检记录和食品留样。",
            observed_classes=[{"class_type": "young_toddler", "children": 12, "carers": 3}],
            checklist_template=template,
            checklist_answers={"cctv_retention_90d": {"ok": False, "note": "仅保存30日"}},
        )
        severity, rule, description, _remedy = FINDINGS[2]
        findings.record_finding(
            inspection,
            actor=inspector,
            rule=rule,
            severity=severity,
            description=description,
            deadline=today - timedelta(days=5),
        )
        findings.record_finding(
            inspection,
            actor=inspector,
            rule="技术指导",
            severity="minor",
            description="建议在午睡室增加遮光窗帘。",
            technical_advice=True,
        )
    counts["visits"] += 1
    counts["findings"] += 2


def _visit(
    visit: Visit,
    planned: registry_demo.PlannedInstitution,
    inspector: User,
    reviewer: User,
    template: ChecklistTemplate | None,
    today: date,
    counts: dict[str, int],
) -> None:
    observed = [
        {"class_type": kind, "children": max(children - 2, 1), "carers": -(-children // 5)}
        for kind, children in planned.classes[:2]
    ]
    with registry_demo.at(visit.at):
        inspection = visits.record_inspection(
            visit.filing,
            actor=inspector,
            kind="routine",
            visited_on=visit.at.date(),
            notes="日常巡查：现场查看监控、晨午检记录、食品留样和消防设施。",
            observed_classes=observed,
            checklist_template=template,
            checklist_answers={"cctv_retention_90d": {"ok": True, "note": ""}},
        )
    counts["visits"] += 1
    operator = User.objects.get(username=visit.operator)
    for index, outcome in visit.findings:
        severity, rule, description, remedy = FINDINGS[index]
        with registry_demo.at(visit.at):
            finding = findings.record_finding(
                inspection, actor=inspector, rule=rule, severity=severity, description=description
            )
        counts["findings"] += 1
        if planned.scenario == "suspended":
            decided = visit.at + timedelta(days=2)
            with registry_demo.at(decided):
                enforcement.record_enforcement(
                    visit.filing,
                    actor=reviewer,
                    kind="stop_service",
                    legal_basis=STOP_SERVICE_BASIS,
                    decision_ref=f"{planned.data['region']}卫责停〔{decided.year}〕1号",
                    decided_on=decided.date(),
                    in_force_until=today + timedelta(days=30),
                    finding=finding,
                )
            continue
        if outcome == "open":
            continue
        # The operator reports back before the deadline, the inspector checks a week later.
        reported = min(
            visit.at + timedelta(days=max(2, (finding.deadline - visit.at.date()).days - 2)),
            datetime.combine(today - timedelta(days=1), visit.at.timetz()),
        )
        with registry_demo.at(reported):
            finding = findings.submit_rectification(finding, actor=operator, note=remedy)
        if outcome == "verified":
            checked = reported + timedelta(days=min(7, max((today - reported.date()).days - 1, 0)))
            with registry_demo.at(checked):
                findings.verify_rectification(
                    finding, actor=inspector, accepted=True, note="复查确认已整改。"
                )


def _complaint(
    filing: Filing,
    planned: registry_demo.PlannedInstitution,
    reviewer: User,
    n: int,
    today: date,
    rng: random.Random,
    counts: dict[str, int],
) -> None:
    if filing.complaints.exists():
        return
    statuses = [
        ComplaintStatus.RECEIVED,
        ComplaintStatus.INVESTIGATING,
        ComplaintStatus.SUBSTANTIATED,
        ComplaintStatus.UNSUBSTANTIATED,
    ]
    status = statuses[(n // 3) % len(statuses)]
    filed_on = planned.step_date("accept")
    span = max((today - filed_on).days - 1, 1)
    # Open complaints are recent (one of them past its handling deadline); closed ones older.
    ago = rng.randint(2, 20) if status == ComplaintStatus.RECEIVED else rng.randint(5, span)
    ago = min(ago, span)
    received = _moment(today - timedelta(days=ago), rng)
    with registry_demo.at(received):
        complaint = complaints.submit_complaint(
            facility=filing.filing_number,
            content=COMPLAINTS[n % len(COMPLAINTS)],
            contact="" if n % 2 else f"1390000{n:04d}",
        )
    counts["complaints"] += 1
    if status == ComplaintStatus.RECEIVED:
        return
    with registry_demo.at(received + timedelta(days=min(1, ago - 1) if ago > 1 else 0)):
        complaint = complaints.triage_complaint(
            complaint, actor=reviewer, status=ComplaintStatus.INVESTIGATING, note="已转监督员核查。"
        )
    if status == ComplaintStatus.INVESTIGATING:
        return
    closed = received + timedelta(days=max(1, min(ago - 1, 6)))
    with registry_demo.at(closed):
        complaints.triage_complaint(
            complaint, actor=reviewer, status=status, outcome=COMPLAINT_OUTCOMES[status]
        )
