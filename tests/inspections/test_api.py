"""The inspections API (api.md "Inspections and findings", "Public" complaints)."""

from __future__ import annotations

from datetime import date

import pytest

from inspections.models import Complaint, Finding, Inspection
from inspections.services import complaints
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_creates_an_inspection_with_the_standards_check(filing, inspector):
    response = client_for(inspector).post(
        "/api/v1/inspections/",
        {
            "filing": filing.pk,
            "kind": "routine",
            "visited_on": "2026-03-02",
            "departments": ["fire"],
            "notes": "现场检查",
            "observed_classes": [{"class_type": "infant", "children": 9, "carers": 2}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["filing"] == filing.pk and body["findings"] == []
    assert sorted(body["departments"]) == ["fire", "health"]
    assert [v["rule"] for v in body["standards_check"]] == ["carer_ratio_below_standard"]


def test_it_answers_404_for_a_filing_outside_the_region(other_filing, inspector):
    response = client_for(inspector).post(
        "/api/v1/inspections/",
        {"filing": other_filing.pk, "kind": "routine", "visited_on": "2026-03-02"},
        format="json",
    )
    assert response.status_code == 404
    assert not Inspection.objects.exists()


def test_it_refuses_inspection_creation_by_an_operator(filing, operator):
    response = client_for(operator).post(
        "/api/v1/inspections/",
        {"filing": filing.pk, "kind": "routine", "visited_on": "2026-03-02"},
        format="json",
    )
    assert response.status_code == 403


def test_it_lists_every_bad_field_at_once(filing, inspector):
    response = client_for(inspector).post(
        "/api/v1/inspections/",
        {"filing": filing.pk, "kind": "party", "visited_on": "soon", "departments": ["army"]},
        format="json",
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"kind", "visited_on"} <= fields


def test_it_scopes_inspection_lists(
    filing, other_filing, inspector, operator, other_operator, county_reviewer
):
    mine = f.inspection(filing, inspector)
    fire = f.inspection(filing, inspector, departments=["fire"])
    assert [
        i["id"] for i in client_for(inspector).get("/api/v1/inspections/").json()["results"]
    ] == [mine.pk]
    assert {
        i["id"] for i in client_for(county_reviewer).get("/api/v1/inspections/").json()["results"]
    } == {mine.pk, fire.pk}
    assert len(client_for(operator).get("/api/v1/inspections/").json()["results"]) == 2
    assert client_for(other_operator).get("/api/v1/inspections/").json()["results"] == []
    assert client_for(other_operator).get(f"/api/v1/inspections/{mine.pk}/").status_code == 404
    assert client_for(None).get("/api/v1/inspections/").status_code in (401, 403)


def test_it_runs_the_rectification_loop_over_the_api(filing, inspector, operator, other_operator):
    inspection = f.inspection(filing, inspector)
    created = client_for(inspector).post(
        "/api/v1/findings/",
        {"inspection": inspection.pk, "rule": "§32", "severity": "major", "description": "录像30天", "deadline": "2026-03-20"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    finding_id = created.json()["id"]
    assert created.json()["status"] == "open"
    url = f"/api/v1/findings/{finding_id}/"
    assert client_for(other_operator).post(url + "rectify/", {"note": "x"}).status_code == 404
    assert client_for(operator).post(url + "verify/", {"accepted": True}).status_code == 403
    rectified = client_for(operator).post(url + "rectify/", {"note": "已整改"})
    assert rectified.status_code == 200 and rectified.json()["status"] == "rectification_submitted"
    again = client_for(operator).post(url + "rectify/", {"note": "再次"})
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "invalid_transition"
    rejected = client_for(inspector).post(
        url + "verify/", {"accepted": False, "note": "不到位"}, format="json"
    )
    assert rejected.json()["status"] == "open"
    client_for(operator).post(url + "rectify/", {"note": "已更换"})
    verified = client_for(inspector).post(url + "verify/", {"accepted": True}, format="json")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert verified.json()["overdue"] is False


def test_it_accepts_evidence_photos_and_refuses_other_files(filing, inspector, operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    finding = f.finding(f.inspection(filing, inspector))
    url = f"/api/v1/findings/{finding.pk}/rectify/"
    bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client_for(operator).post(
        url, {"note": "已整改", "evidence": [bad]}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "evidence_type_not_allowed"
    finding.refresh_from_db()
    assert finding.status == "open"
    good = SimpleUploadedFile(
        "photo.png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U\x00\x00\x00\x00IEND\xaeB`\x82",
        content_type="image/png",
    )
    response = client_for(operator).post(
        url, {"note": "已整改", "evidence": [good]}, format="multipart"
    )
    assert response.status_code == 200
    assert finding.evidence.get().content_type == "image/png"


def test_it_marks_findings_overdue_after_the_deadline(filing, inspector, operator):
    f.finding(f.inspection(filing, inspector), deadline=date(2020, 1, 1))
    results = client_for(operator).get("/api/v1/findings/").json()["results"]
    assert results[0]["overdue"] is True


def test_it_never_shows_complaints_to_operators(
    filing, operator, county_reviewer, other_county_reviewer
):
    complaint = complaints.submit_complaint(
        facility=filing.filing_number, content="投诉内容", contact="13900001111"
    )
    assert client_for(operator).get("/api/v1/complaints/").json()["results"] == []
    assert client_for(operator).get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert (
        client_for(other_county_reviewer).get(f"/api/v1/complaints/{complaint.pk}/").status_code
        == 404
    )
    listed = client_for(county_reviewer).get("/api/v1/complaints/").json()["results"]
    assert listed[0]["contact"] == "13900001111"
    # Findings an operator sees never carry the complaint or its contact.
    assert "13900001111" not in str(client_for(operator).get("/api/v1/findings/").json())


def test_it_triages_complaints_over_the_api(filing, county_reviewer):
    complaint = complaints.submit_complaint(facility=filing.filing_number, content="投诉")
    url = f"/api/v1/complaints/{complaint.pk}/triage/"
    client = client_for(county_reviewer)
    assert client.post(url, {"status": "substantiated", "outcome": "x"}).status_code == 409
    assert client.post(url, {"status": "investigating"}).json()["status"] == "investigating"
    bad = client.post(url, {"status": "substantiated"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "outcome_required"
    done = client.post(url, {"status": "unsubstantiated", "outcome": "经核查不属实。"})
    assert done.json()["status"] == "unsubstantiated"


def test_it_takes_public_complaints_and_tracks_them_without_identity(filing):
    client = client_for(None)
    created = client.post(
        "/api/v1/public/complaints/",
        {
            "facility": filing.filing_number,
            "content": "午睡无人看护",
            "contact": "李女士 13900001111",
        },
        format="json",
    )
    assert created.status_code == 201
    code = created.json()["tracking_code"]
    assert set(created.json()) == {"tracking_code"}
    tracked = client.get(f"/api/v1/public/complaints/{code}/")
    assert tracked.status_code == 200
    body = tracked.json()
    assert body["status"] == "received" and "contact" not in body
    assert "13900001111" not in str(body) and "李女士" not in str(body)
    assert client.get("/api/v1/public/complaints/NOSUCHCODE/").status_code == 404
    bad = client.post(
        "/api/v1/public/complaints/", {"facility": "nope", "content": "x"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "unknown_facility"
    assert Complaint.objects.count() == 1


def test_it_records_enforcement_and_the_operators_reply(
    filing, county_reviewer, operator, inspector
):
    created = client_for(county_reviewer).post(
        "/api/v1/enforcement-actions/",
        {"filing": filing.pk, "kind": "fine", "amount": "8000.00", "legal_basis": "人口与计划生育法第四十一条",
         "decision_ref": "岚卫罚〔2026〕5号", "decided_on": "2026-03-01"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["in_force"] is True
    pk = created.json()["id"]
    assert (
        client_for(inspector).post("/api/v1/enforcement-actions/", {}, format="json").status_code
        == 403
    )
    reply = client_for(operator).post(
        f"/api/v1/enforcement-actions/{pk}/reply/", {"reply": "已缴纳"}
    )
    assert reply.status_code == 200 and reply.json()["operator_reply"] == "已缴纳"


def test_it_lists_institutions_due_for_a_visit_with_reasons(
    filing, other_filing, inspector, operator
):
    response = client_for(inspector).get("/api/v1/inspection-due/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["filing"] for r in rows] == [filing.pk]
    assert rows[0]["reasons"][0]["code"] == "days_since_visit"
    assert client_for(operator).get("/api/v1/inspection-due/").status_code == 403


def test_it_publishes_the_schema(api):
    assert api.get("/api/schema/").status_code == 200


def test_it_gives_operators_their_findings_only(filing, other_filing, inspector, operator):
    from tests import factories

    other_inspector = factories.UserFactory(
        username="inspector_b", role="inspector", region_id="141023", department="health"
    )
    mine = f.finding(f.inspection(filing, inspector))
    f.finding(f.inspection(other_filing, other_inspector))
    results = client_for(operator).get("/api/v1/findings/").json()["results"]
    assert [r["id"] for r in results] == [mine.pk]
    assert Finding.objects.count() == 2


def test_it_lists_credit_records_with_reasons(
    filing, inspector, operator, other_operator, county_reviewer
):
    from inspections.services import credit, findings

    inspection = f.inspection(filing, inspector)
    findings.record_finding(
        inspection, actor=inspector, rule="§32", severity="critical", description="无监控"
    )
    credit.record_credit(
        source="ban",
        source_id=1,
        rule_key="credit_weight_ban",
        reason="终身禁入",
        region_code=filing.region_id,
        person_id_hash="h" * 64,
        person_name="张某",
    )
    own = client_for(operator).get("/api/v1/credit-records/").json()["results"]
    assert [(r["points"], r["reason"]) for r in own] == [(10, "严重问题：§32")]
    assert client_for(other_operator).get("/api/v1/credit-records/").json()["results"] == []
    staff = client_for(county_reviewer).get("/api/v1/credit-records/").json()["results"]
    assert {r["source"] for r in staff} == {"finding", "ban"}


def test_it_lists_findings_and_inspections_in_constant_queries(
    filing, inspector, operator, django_assert_max_num_queries
):
    for _ in range(5):
        f.finding(f.inspection(filing, inspector))
    client = client_for(operator)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/findings/").json()["results"]) == 5
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/inspections/").json()["results"]) == 5


def test_it_schedules_a_follow_up_visit_from_a_finding(filing, inspector, operator):
    finding = f.finding(f.inspection(filing, inspector))
    url = f"/api/v1/findings/{finding.pk}/follow-up/"
    assert client_for(operator).post(url, {"visited_on": "2026-03-20"}).status_code == 403
    response = client_for(inspector).post(url, {"visited_on": "2026-03-20"})
    assert response.status_code == 201
    assert response.json()["kind"] == "follow_up" and response.json()["follow_up_of"] == finding.pk
