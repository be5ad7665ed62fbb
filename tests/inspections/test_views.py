"""HTML pages: each renders for its role; jurisdiction; public complaint pages never show identity."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from inspections.models import Complaint, Finding
from inspections.services import complaints
from tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_it_shows_the_operator_open_findings_with_deadlines(filing, inspector, operator):
    f.finding(
        f.inspection(filing, inspector),
        description="监控录像只保存了30天",
        deadline=date(2020, 1, 1),
    )
    response = _client(operator).get(reverse("operator-findings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "监控录像只保存了30天" in html and "2020-01-01" in html and "已逾期" in html
    # Each finding's form has its own ids, so every label points at its own card's field.
    finding_id = Finding.objects.get(description="监控录像只保存了30天").pk
    assert f'<label for="id_finding{finding_id}_note">' in html
    assert f'id="id_finding{finding_id}_note"' in html


def test_it_takes_a_rectification_from_the_operator_page(
    filing, inspector, operator, other_operator
):
    finding = f.finding(f.inspection(filing, inspector))
    url = reverse("finding-rectify", args=[finding.pk])
    assert _client(other_operator).post(url, {"note": "x"}).status_code == 404
    assert _client(operator).post(url, {"note": ""}).status_code == 400
    response = _client(operator).post(url, {"note": "已整改"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "rectification_submitted"


def test_it_refuses_operator_pages_to_staff(inspector):
    assert _client(inspector).get(reverse("operator-findings")).status_code == 403


def test_it_shows_the_complaint_queue_to_the_county_only(
    filing, county_reviewer, other_county_reviewer, operator
):
    complaints.submit_complaint(facility=filing.filing_number, content="午睡无人看护")
    assert (
        "午睡无人看护" in _client(county_reviewer).get(reverse("complaint-queue")).content.decode()
    )
    assert (
        "午睡无人看护"
        not in _client(other_county_reviewer).get(reverse("complaint-queue")).content.decode()
    )
    assert _client(operator).get(reverse("complaint-queue")).status_code == 403


def test_it_triages_from_the_queue(filing, county_reviewer):
    complaint = complaints.submit_complaint(facility=filing.filing_number, content="投诉")
    url = reverse("complaint-triage", args=[complaint.pk])
    response = _client(county_reviewer).post(url, {"status": "investigating"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "investigating"


def test_it_lists_institutions_due_with_reasons(filing, inspector):
    response = _client(inspector).get(reverse("inspection-due"))
    assert response.status_code == 200
    html = response.content.decode()
    assert filing.institution.name in html and "备案后" in html


def test_it_takes_a_public_complaint_and_tracks_it_without_identity(filing):
    client = _client()
    form = client.get(reverse("public-complaint-new") + f"?facility={filing.filing_number}")
    assert form.status_code == 200 and filing.filing_number in form.content.decode()
    response = client.post(
        reverse("public-complaint-new"),
        {
            "facility": filing.filing_number,
            "content": "孩子多次受伤",
            "contact": "王先生 13700001111",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    tracked = client.get(response["Location"])
    html = tracked.content.decode()
    assert complaint.tracking_code in html
    assert "13700001111" not in html and "王先生" not in html
    bad = client.post(reverse("public-complaint-new"), {"facility": "nope", "content": "x"})
    assert bad.status_code == 400 and "找不到该备案编号的机构" in bad.content.decode()
    assert client.get(reverse("public-complaint-track", args=["NOPE"])).status_code == 404


def test_it_lets_the_operator_reply_to_a_penalty(filing, county_reviewer, operator, other_operator):
    from inspections.services import enforcement

    action = enforcement.record_enforcement(
        filing, actor=county_reviewer, kind="warning", legal_basis="人口与计划生育法第四十一条",
        decision_ref="岚卫罚〔2026〕7号", decided_on=date(2026, 3, 1),
    )  # fmt: skip
    page = _client(operator).get(reverse("operator-findings")).content.decode()
    assert "岚卫罚〔2026〕7号" in page
    url = reverse("enforcement-reply", args=[action.pk])
    assert _client(other_operator).post(url, {"reply": "x"}).status_code == 404
    assert _client(operator).post(url, {"reply": "已整改"}).status_code == 302
    action.refresh_from_db()
    assert action.operator_reply == "已整改"


def test_overdue_is_one_definition_on_the_operators_page_the_due_page_and_the_admin(
    filing, admin_inspector, operator
) -> None:
    """A finding past its deadline and not verified is overdue everywhere, escalated or not;
    a verified one is overdue nowhere."""
    from django.utils import timezone

    inspector = admin_inspector
    visit = f.inspection(filing, inspector)
    today = timezone.localdate()
    late = f.finding(visit, description="午睡室无人值守。", deadline=date(2026, 1, 5))
    fixed = f.finding(
        visit, description="消毒记录缺签字。", deadline=date(2026, 1, 5), status="verified"
    )
    assert late.escalated_at is None  # not yet reported by the scan: still overdue
    operator_page = _client(operator).get("/inspections/findings/").content.decode()
    assert "（已逾期）" in operator_page and "午睡室无人值守。" in operator_page
    assert "消毒记录缺签字。" not in operator_page
    inspector_client = _client(inspector)
    due_page = inspector_client.get("/inspections/due/").content.decode()
    assert "没有逾期问题" not in due_page
    assert late.rule in due_page and "尚未上报" in due_page
    assert due_page.count("（已逾期）") == 1
    admin_list = inspector_client.get("/admin/inspections/finding/").content.decode()
    days = (today - late.deadline).days
    assert f"已逾期 {days} 天" in admin_list
    assert admin_list.count("已逾期 ") == 1  # the verified finding shows —
    assert fixed.pk
