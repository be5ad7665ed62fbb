"""Services of the inspections app against the database: visits, the rectification loop, the
overdue sweep, risk, complaints, enforcement and publication rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from inspections import public, selectors, tasks
from inspections.models import (
    ChecklistTemplate,
    Complaint,
    CreditRecord,
    Finding,
    FindingTransition,
)
from inspections.services import complaints, enforcement, findings, risk, visits
from registry.models import Filing
from tests import factories as f
from tuoyu_portal import crypto
from tuoyu_portal.exceptions import DomainError, InvalidTransition, NotPermitted
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- visits


def test_it_checks_observed_classes_with_the_standards_engine(filing, inspector):
    inspection = visits.record_inspection(
        filing,
        actor=inspector,
        kind="routine",
        visited_on=date(2026, 3, 2),
        observed_classes=[
            {"class_type": "young_toddler", "children": 16, "carers": 3},
            {"class_type": "infant", "children": 6, "carers": 2},
        ],
    )
    rules = sorted(v["rule"] for v in inspection.standards_check)
    assert rules == ["carer_ratio_below_standard", "class_over_size"]
    assert all(v["field"] == "observed_classes[0]" for v in inspection.standards_check)
    assert inspection.departments == ["health"]
    assert list(inspection.inspectors.all()) == [inspector]


def test_it_passes_classes_within_the_standard(filing, inspector):
    inspection = visits.record_inspection(
        filing,
        actor=inspector,
        kind="routine",
        visited_on=date(2026, 3, 2),
        observed_classes=[{"class_type": "older_toddler", "children": 14, "carers": 2}],
    )
    assert inspection.standards_check == []


def test_it_lists_every_bad_observed_class_at_once(filing, inspector):
    with pytest.raises(DomainError) as caught:
        visits.record_inspection(
            filing,
            actor=inspector,
            kind="routine",
            visited_on=date(2026, 3, 2),
            observed_classes=[
                {"class_type": "nursery", "children": 3, "carers": 1},
                {"children": -1},
            ],
        )
    assert len(caught.value.violations) >= 3


def test_it_refuses_a_visit_outside_the_inspectors_region(other_filing, inspector):
    with pytest.raises(NotPermitted):
        visits.record_inspection(
            other_filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2)
        )


def test_it_refuses_a_visit_by_a_non_inspector(filing, county_reviewer):
    with pytest.raises(NotPermitted):
        visits.record_inspection(
            filing, actor=county_reviewer, kind="routine", visited_on=date(2026, 3, 2)
        )


def test_it_refuses_a_visit_to_a_draft_filing(filing, inspector):
    Filing.objects.filter(pk=filing.pk).update(status="draft")
    filing.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        visits.record_inspection(
            filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2)
        )
    assert caught.value.violations[0].code == "filing_not_active"


def _quality_answers(score_share: Decimal, veto_ok: bool = True) -> dict:
    template = ChecklistTemplate.objects.get(code="quality", version=1)
    answers = {}
    for item in template.items:
        if item["veto"]:
            answers[item["code"]] = {"ok": veto_ok}
        else:
            answers[item["code"]] = {"score": float(Decimal(item["points"]) * score_share)}
    return answers


@pytest.mark.parametrize(
    ("share", "veto_ok", "grade"),
    [
        (Decimal("0.95"), True, "A"),
        (Decimal("0.80"), True, "B"),
        (Decimal("0.65"), True, "C"),
        (Decimal("0.50"), True, "D"),
        (Decimal("1.00"), False, "D"),  # a failed veto item grades D whatever the score
    ],
)
def test_it_grades_quality_visits_by_the_region_thresholds(
    filing, inspector, share, veto_ok, grade
):
    template = ChecklistTemplate.objects.get(code="quality", version=1)
    inspection = visits.record_inspection(
        filing,
        actor=inspector,
        kind="quality",
        visited_on=date(2026, 3, 2),
        checklist_template=template,
        checklist_answers=_quality_answers(share, veto_ok),
    )
    assert inspection.quality_grade == grade
    assert inspection.quality_score == (1000 * share).quantize(Decimal("0.1"))


def test_it_seeds_the_quality_template_with_the_seven_dimensions():
    template = ChecklistTemplate.objects.get(code="quality", version=1)
    dims = {d["title"]: d["points"] for d in template.settings["dimensions"]}
    assert dims == {"办托条件": 100, "托育队伍": 140, "保育照护": 200, "卫生保健": 210,
                    "养育支持": 80, "安全保障": 200, "机构管理": 70}  # fmt: skip
    assert sum(dims.values()) == 1000
    assert any(item["veto"] for item in template.items)
    routine = ChecklistTemplate.objects.get(code="routine", version=1)
    assert {"cctv_retention_90d", "admission_health_check", "staff_background_check",
            "emergency_drills", "food_samples", "fee_disclosure"} <= {i["code"] for i in routine.items}  # fmt: skip


# --------------------------------------------------------------------------- findings


def test_it_defaults_the_deadline_from_the_region_rule(filing, inspector):
    inspection = f.inspection(filing, inspector)
    finding = findings.record_finding(
        inspection, actor=inspector, rule="§32", severity="critical", description="无监控"
    )
    assert finding.deadline == inspection.visited_on + timedelta(days=7)
    RegionRule.objects.create(
        region_id="371103",
        key="rectification_days_critical",
        value=3,
        effective_from=date(2020, 1, 1),
    )
    second = findings.record_finding(
        inspection, actor=inspector, rule="§32", severity="critical", description="无监控"
    )
    assert second.deadline == inspection.visited_on + timedelta(days=3)
    assert FindingTransition.objects.filter(finding=finding, to_status="open").count() == 1
    assert CreditRecord.objects.get(source="finding", source_id=finding.pk).points == 10


def test_it_lists_every_broken_finding_rule(filing, inspector):
    inspection = f.inspection(filing, inspector)
    with pytest.raises(DomainError) as caught:
        findings.record_finding(
            inspection, actor=inspector, rule="", severity="fatal", description="",
            deadline=inspection.visited_on - timedelta(days=1),
        )  # fmt: skip
    assert {v.code for v in caught.value.violations} == {
        "invalid_choice", "required", "deadline_before_visit"
    }  # fmt: skip
    assert not Finding.objects.exists()


def test_it_never_publishes_technical_advice(filing, inspector):
    inspection = f.inspection(filing, inspector)
    advice = findings.record_finding(
        inspection, actor=inspector, rule="技术指导", severity="minor",
        description="建议增加遮光窗帘", technical_advice=True, published=True,
    )  # fmt: skip
    assert advice.published is False
    assert not CreditRecord.objects.filter(source="finding", source_id=advice.pk).exists()


def test_it_walks_the_rectification_loop(filing, inspector, operator):
    finding = f.finding(f.inspection(filing, inspector))
    findings.submit_rectification(finding, actor=operator, note="已延长保存期限至90天")
    finding.refresh_from_db()
    assert finding.status == "rectification_submitted"
    findings.verify_rectification(finding, actor=inspector, accepted=False, note="未见设备")
    finding.refresh_from_db()
    assert finding.status == "open"
    findings.submit_rectification(finding, actor=operator, note="已更换硬盘")
    findings.verify_rectification(finding, actor=inspector, accepted=True)
    finding.refresh_from_db()
    assert finding.status == "verified"
    assert finding.verified_at is not None
    assert list(finding.transitions.values_list("from_status", "to_status")) == [
        ("open", "rectification_submitted"),
        ("rectification_submitted", "open"),
        ("open", "rectification_submitted"),
        ("rectification_submitted", "verified"),
    ]
    assert [r.accepted for r in finding.rectifications.order_by("id")] == [False, True]


@pytest.mark.parametrize(
    ("start", "target"),
    [(s, t) for s in Finding.Status.values for t in ("rectification_submitted", "verified", "open")],
)  # fmt: skip
def test_it_follows_the_finding_transition_table(filing, inspector, operator, start, target):
    finding = f.finding(f.inspection(filing, inspector), status=start)
    allowed = target in Finding.TRANSITIONS[start]
    if target == "rectification_submitted":
        call = lambda: findings.submit_rectification(finding, actor=operator, note="已整改")  # noqa: E731
    else:
        call = lambda: findings.verify_rectification(  # noqa: E731
            finding, actor=inspector, accepted=target == "verified", note="意见"
        )
    if allowed:
        call()
        finding.refresh_from_db()
        assert finding.status == target
    else:
        with pytest.raises(InvalidTransition):
            call()
        finding.refresh_from_db()
        assert finding.status == start
        assert not finding.transitions.exists()


def test_it_refuses_rectification_by_another_operator(filing, inspector, other_operator):
    finding = f.finding(f.inspection(filing, inspector))
    with pytest.raises(NotPermitted):
        findings.submit_rectification(finding, actor=other_operator, note="x")


def test_it_refuses_verification_by_another_regions_inspector(other_filing, inspector, operator):
    from tests import factories

    other_inspector = factories.UserFactory(
        username="inspector_b", role="inspector", region_id="141023", department="health"
    )
    finding = f.finding(
        f.inspection(other_filing, other_inspector), status="rectification_submitted"
    )
    with pytest.raises(NotPermitted):
        findings.verify_rectification(finding, actor=inspector, accepted=True)


def test_it_flags_overdue_findings_once_when_time_moves_on(filing, inspector, operator):
    finding = f.finding(f.inspection(filing, inspector), deadline=date(2026, 3, 17))
    done = f.finding(finding.inspection, deadline=date(2026, 3, 17), status="verified")
    with time_machine.travel(date(2026, 3, 17), tick=False):
        assert tasks.flag_overdue_findings() == 0
        assert not finding.is_overdue(date(2026, 3, 17))
    with time_machine.travel(date(2026, 3, 19), tick=False):
        assert tasks.flag_overdue_findings() == 1
        assert tasks.flag_overdue_findings() == 0  # idempotent: one escalation only
    finding.refresh_from_db()
    assert finding.escalated_at is not None and finding.overdue_flagged_at is not None
    assert finding.transitions.filter(event=findings.ESCALATED_EVENT).count() == 1
    assert CreditRecord.objects.filter(source="overdue", source_id=finding.pk).count() == 1
    done.refresh_from_db()
    assert done.escalated_at is None


# --------------------------------------------------------------------------- risk


def test_it_explains_the_risk_score(filing, inspector, county_reviewer):
    """Hand-computed with the national defaults: last visit 100 days ago (100 × 0.1 = 10),
    one open critical (40), one open minor (5), one verified finding (2), one substantiated
    complaint (20), one enforcement action (30); filed 2025-01-10 so not new; no lease.
    Score 107; due = 2026-03-02 + 365 − (97 × 3 = 291) = +74 days = 2026-05-15."""
    inspection = f.inspection(filing, inspector, visited_on=date(2026, 3, 2))
    f.finding(inspection, severity="critical")
    f.finding(inspection, severity="minor")
    f.finding(inspection, severity="major", status="verified")
    f.finding(inspection, severity="major", technical_advice=True)  # advice never counts
    complaint = complaints.submit_complaint(facility=filing.filing_number, content="投诉")
    Complaint.objects.filter(pk=complaint.pk).update(status="substantiated")
    enforcement.record_enforcement(
        filing, actor=county_reviewer, kind="warning", legal_basis="人口与计划生育法第四十一条",
        decision_ref="岚卫罚〔2026〕1号", decided_on=date(2026, 3, 20),
    )  # fmt: skip
    result = risk.assess_filings(Filing.objects.filter(pk=filing.pk), date(2026, 6, 10))[0]
    reasons = {r["code"]: r["points"] for r in result.reasons}
    assert reasons == {
        "days_since_visit": 10.0,
        "open_minor": 5.0,
        "open_critical": 40.0,
        "past_findings": 2.0,
        "complaints": 20.0,
        "enforcement": 30.0,
    }
    assert result.score == Decimal("107")
    assert result.due_on == date(2026, 5, 15)
    assert result.is_due(date(2026, 6, 10))


def test_it_scores_a_new_never_visited_institution(filing):
    Filing.objects.filter(pk=filing.pk).update(
        filed_on=date(2026, 5, 1), lease_end=date(2026, 7, 1)
    )
    result = risk.assess_filings(Filing.objects.filter(pk=filing.pk), date(2026, 6, 10))[0]
    reasons = {r["code"]: r["points"] for r in result.reasons}
    assert reasons == {
        "days_since_visit": 4.0,
        "new_institution": 25.0,
        "expiring_credentials": 10.0,
    }
    # 2026-05-01 + 365 − 35 × 3 days
    assert result.due_on == date(2026, 5, 1) + timedelta(days=365 - 105)


# --------------------------------------------------------------------------- complaints


def test_it_takes_an_anonymous_complaint_with_a_deadline(filing):
    with time_machine.travel(date(2026, 4, 1), tick=False):
        complaint = complaints.submit_complaint(
            facility=filing.filing_number, content="老师大声呵斥孩子"
        )
    assert complaint.anonymous and complaint.contact_encrypted == ""
    assert complaint.due_on == date(2026, 4, 16)
    assert len(complaint.tracking_code) == 16


def test_it_encrypts_the_complainants_contact(filing):
    complaint = complaints.submit_complaint(
        facility=filing.filing_number, content="投诉", contact="13900001111"
    )
    assert "13900001111" not in complaint.contact_encrypted
    assert crypto.decrypt(complaint.contact_encrypted) == "13900001111"
    assert complaint.anonymous is False


def test_it_refuses_a_complaint_about_an_unknown_facility():
    with pytest.raises(DomainError) as caught:
        complaints.submit_complaint(facility="nope", content="")
    assert {v.code for v in caught.value.violations} == {"unknown_facility", "required"}


# Every pair of Complaint.TRANSITIONS through the triage service: `received` is only ever the
# state a complaint is created in, so it is a source and never a target.
COMPLAINT_TARGETS = [s for s in Complaint.Status.values if s != Complaint.Status.RECEIVED]


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in Complaint.Status.values for t in COMPLAINT_TARGETS],
)  # fmt: skip
def test_it_follows_the_complaint_transition_table(filing, county_reviewer, source, target):
    complaint = complaints.submit_complaint(facility=filing.filing_number, content="投诉")
    Complaint.objects.filter(pk=complaint.pk).update(status=source)
    complaint.refresh_from_db()
    before = complaint.transitions.count()

    def call() -> Complaint:
        return complaints.triage_complaint(
            complaint, actor=county_reviewer, status=target, outcome="经核查，已答复投诉人。"
        )

    if target in Complaint.TRANSITIONS[source]:
        call()
        complaint.refresh_from_db()
        assert complaint.status == target
        assert complaint.transitions.count() == before + 1
        last = complaint.transitions.order_by("pk").last()
        assert (last.from_status, last.to_status, last.actor) == (source, target, county_reviewer)
        assert (complaint.closed_at is not None) == (target in Complaint.CLOSED)
    else:
        with pytest.raises(InvalidTransition) as caught:
            call()
        assert caught.value.status_code == 409
        assert [v.code for v in caught.value.violations] == ["invalid_transition"]
        complaint.refresh_from_db()
        assert complaint.status == source
        assert complaint.transitions.count() == before
        assert complaint.closed_at is None


def test_it_hides_complaints_from_operators(
    filing, operator, county_reviewer, other_county_reviewer
):
    complaints.submit_complaint(facility=filing.filing_number, content="投诉", contact="x")
    assert not Complaint.objects.visible_to(operator).exists()
    assert not Complaint.objects.visible_to(other_county_reviewer).exists()
    assert Complaint.objects.visible_to(county_reviewer).count() == 1


def test_it_triages_a_complaint_to_a_public_outcome(filing, county_reviewer, inspector):
    complaint = complaints.submit_complaint(facility=filing.filing_number, content="投诉")
    with pytest.raises(InvalidTransition):
        complaints.triage_complaint(
            complaint, actor=county_reviewer, status="substantiated", outcome="x"
        )
    inspection = f.inspection(filing, inspector, kind="complaint")
    complaints.triage_complaint(
        complaint, actor=county_reviewer, status="investigating", inspection=inspection
    )
    with pytest.raises(DomainError) as caught:
        complaints.triage_complaint(complaint, actor=county_reviewer, status="substantiated")
    assert caught.value.violations[0].code == "outcome_required"
    complaints.triage_complaint(
        complaint, actor=county_reviewer, status="substantiated", outcome="经核查属实，已责令整改。"
    )
    complaint.refresh_from_db()
    assert complaint.inspection == inspection and complaint.closed_at is not None
    assert complaint.transitions.count() == 3


def test_it_refuses_triage_by_another_county(filing, other_county_reviewer):
    complaint = complaints.submit_complaint(facility=filing.filing_number, content="投诉")
    with pytest.raises(NotPermitted):
        complaints.triage_complaint(complaint, actor=other_county_reviewer, status="investigating")


# --------------------------------------------------------------------------- enforcement


@pytest.mark.parametrize(
    ("kind", "amount", "code"),
    [
        ("fine", None, "fine_amount_required"),
        ("fine", Decimal("4999"), "fine_amount_out_of_range"),
        ("fine", Decimal("50001"), "fine_amount_out_of_range"),
        ("stop_service", Decimal("40000"), "fine_amount_out_of_range"),
        ("warning", Decimal("100"), "amount_not_allowed"),
        ("fine", Decimal("5000"), None),
        ("stop_service", Decimal("100000"), None),
    ],
)
def test_it_checks_fine_amounts(filing, county_reviewer, kind, amount, code):
    call = lambda: enforcement.record_enforcement(  # noqa: E731
        filing, actor=county_reviewer, kind=kind, amount=amount, legal_basis="§41",
        decision_ref="岚卫罚〔2026〕2号", decided_on=date(2026, 3, 1),
    )  # fmt: skip
    if code is None:
        action = call()
        assert CreditRecord.objects.get(source="enforcement", source_id=action.pk).points > 0
    else:
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.violations[0].code == code


def test_it_knows_when_enforcement_is_in_force(filing, county_reviewer, operator):
    today = date(2026, 6, 1)
    assert not selectors.has_enforcement_in_force(filing.institution_id, today)
    action = enforcement.record_enforcement(
        filing, actor=county_reviewer, kind="stop_service", legal_basis="§41",
        decision_ref="岚卫罚〔2026〕3号", decided_on=date(2026, 5, 1), in_force_until=date(2026, 8, 1),
    )  # fmt: skip
    assert selectors.has_enforcement_in_force(filing.institution_id, today)
    assert not selectors.has_enforcement_in_force(filing.institution_id, date(2026, 8, 2))
    enforcement.update_correction(
        action, actor=county_reviewer, correction_status="corrected", lift=True
    )
    assert not selectors.has_enforcement_in_force(filing.institution_id, today)


def test_it_knows_about_open_critical_findings(filing, inspector):
    finding = f.finding(f.inspection(filing, inspector), severity="critical")
    assert selectors.has_open_critical_finding(filing.institution_id)
    Finding.objects.filter(pk=finding.pk).update(status="verified")
    assert not selectors.has_open_critical_finding(filing.institution_id)


# --------------------------------------------------------------------------- publication


def test_it_publishes_findings_and_penalties_but_never_technical_advice(
    filing, inspector, county_reviewer, operator
):
    inspection = visits.record_inspection(
        filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2)
    )
    findings.record_finding(
        inspection, actor=inspector, rule="§32", severity="major", description="录像只保存30天"
    )
    findings.record_finding(
        inspection, actor=inspector, rule="技术指导", severity="minor",
        description="建议增加遮光窗帘", technical_advice=True,
    )  # fmt: skip
    findings.record_finding(
        inspection, actor=inspector, rule="内部", severity="minor", description="内部记录不公开",
        published=False,
    )  # fmt: skip
    action = enforcement.record_enforcement(
        filing, actor=county_reviewer, kind="warning", legal_basis="人口与计划生育法第四十一条",
        decision_ref="岚卫罚〔2026〕9号", decided_on=date(2026, 3, 20),
    )  # fmt: skip
    enforcement.record_enforcement(
        filing, actor=county_reviewer, kind="order_to_correct", legal_basis="§41",
        decision_ref="岚卫罚〔2026〕10号", decided_on=date(2026, 3, 20), published=False,
    )  # fmt: skip
    enforcement.reply_to_enforcement(action, actor=operator, reply="已于3月25日完成整改。")

    sections = public.facility_sections(filing)
    published_findings = sections[0]["context"]["findings"]
    assert [x.description for x in published_findings] == ["录像只保存30天"]
    penalties = sections[1]["context"]["penalties"]
    assert [p.decision_ref for p in penalties] == ["岚卫罚〔2026〕9号"]
    assert penalties[0].operator_reply == "已于3月25日完成整改。"

    from django.template.loader import render_to_string

    html = "".join(render_to_string(s["template"], s["context"]) for s in sections)
    assert "录像只保存30天" in html and "已于3月25日完成整改。" in html
    assert "遮光窗帘" not in html and "内部记录不公开" not in html and "〔2026〕10号" not in html

    filing.refresh_from_db()
    summary = filing.latest_inspection
    assert summary["findings"] == 1 and summary["findings_by_severity"]["minor"] == 0
    assert "遮光窗帘" not in str(summary)


def test_it_refuses_a_reply_from_another_operator(filing, county_reviewer, other_operator):
    action = enforcement.record_enforcement(
        filing, actor=county_reviewer, kind="warning", legal_basis="§41",
        decision_ref="岚卫罚〔2026〕11号", decided_on=date(2026, 3, 20),
    )  # fmt: skip
    with pytest.raises(NotPermitted):
        enforcement.reply_to_enforcement(action, actor=other_operator, reply="x")


def test_it_refuses_answers_to_items_the_checklist_does_not_have(filing, inspector):
    template = ChecklistTemplate.objects.get(code="routine", version=1)
    with pytest.raises(DomainError) as caught:
        visits.record_inspection(
            filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2),
            checklist_template=template, checklist_answers={"cctv_24h": {"ok": True}, "made_up": {}},
        )  # fmt: skip
    assert caught.value.violations[0].code == "unknown_checklist_item"


def test_it_keeps_the_checklist_version_a_visit_was_filled_with(filing, inspector):
    v1 = ChecklistTemplate.objects.get(code="routine", version=1)
    inspection = visits.record_inspection(
        filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2),
        checklist_template=v1, checklist_answers={"cctv_24h": {"ok": True}},
    )  # fmt: skip
    # A new version is a new row (published through the admin); the visit keeps its own.
    v2 = ChecklistTemplate.objects.create(
        code=v1.code,
        version=v1.version + 1,
        title=v1.title,
        kind=v1.kind,
        items=[{"code": "cctv_24h_v2", "text": "新版监控要求"}],
        settings=v1.settings,
        published=True,
    )
    assert v2.version == 2
    inspection.refresh_from_db()
    assert inspection.checklist_template == v1
    assert "cctv_24h" in {i["code"] for i in inspection.checklist_template.items}


def test_it_adds_evidence_for_inspectors_of_the_findings_region(filing, inspector, county_reviewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inspections.models import FindingEvidence
    from tests.factories import PNG_BYTES

    finding = f.finding(f.inspection(filing, inspector))
    [evidence] = findings.add_evidence(
        finding, actor=inspector, files=[SimpleUploadedFile("现场.png", PNG_BYTES)]
    )
    assert (evidence.content_type, evidence.uploaded_by, evidence.rectification) == (
        "image/png",
        inspector,
        None,
    )
    with pytest.raises(NotPermitted):
        findings.add_evidence(
            finding, actor=county_reviewer, files=[SimpleUploadedFile("x.png", PNG_BYTES)]
        )
    assert FindingEvidence.objects.filter(finding=finding).count() == 1
