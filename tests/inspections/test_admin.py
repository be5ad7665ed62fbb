"""The inspection admin is the inspectors' product: scoping, saves through services, permissions."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from inspections.models import CreditRecord, Finding, FindingTransition, Inspection

from . import factories as f

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _add_payload(filing, **extra) -> dict:
    data = {
        "filing": filing.pk,
        "kind": "routine",
        "visited_on": "2026-03-02",
        "departments": ["fire"],
        "checklist_answers": "{}",
        "observed_classes": '[{"class_type": "young_toddler", "children": 16, "carers": 3}]',
        "notes": "现场检查",
        "published": "on",
        "findings-TOTAL_FORMS": "1",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
        "findings-0-rule": "管理规范 §32",
        "findings-0-severity": "major",
        "findings-0-description": "监控录像只保存了30天",
        "findings-0-deadline": "",
        "findings-0-published": "on",
    }
    data.update(extra)
    return data


def test_it_shows_the_inspector_only_own_region_rows(filing, other_filing, admin_inspector):
    from tests import factories

    other_inspector = factories.UserFactory(
        username="inspector_b", role="inspector", region_id="141023", department="health"
    )
    mine = f.inspection(filing, admin_inspector)
    theirs = f.inspection(other_filing, other_inspector)
    client = _client(admin_inspector)
    response = client.get("/admin/inspections/inspection/")
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert shown == {mine.pk}
    assert response.context["cl"].show_full_result_count is False
    # Another region's visit does not exist for this inspector: the admin redirects away.
    other = client.get(f"/admin/inspections/inspection/{theirs.pk}/change/")
    assert other.status_code == 302
    assert client.get(f"/admin/inspections/inspection/{mine.pk}/change/").status_code == 200


def test_it_logs_a_visit_with_an_inline_finding_through_the_services(filing, admin_inspector):
    response = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/", _add_payload(filing)
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    inspection = Inspection.objects.get()
    assert inspection.created_by == admin_inspector
    assert inspection.departments == ["fire", "health"]
    assert {v["rule"] for v in inspection.standards_check} == {
        "class_over_size",
        "carer_ratio_below_standard",
    }
    assert list(inspection.inspectors.all()) == [admin_inspector]
    finding = Finding.objects.get()
    # The service filled the deadline from the region rule and wrote history and credit.
    assert finding.deadline == date(2026, 3, 17)
    assert FindingTransition.objects.filter(finding=finding).count() == 1
    assert CreditRecord.objects.filter(source="finding", source_id=finding.pk).exists()
    filing.refresh_from_db()
    assert filing.latest_inspection["findings"] == 1


def test_it_only_offers_filings_of_the_inspectors_region(filing, other_filing, admin_inspector):
    response = _client(admin_inspector).get("/admin/inspections/inspection/add/")
    choices = {c for c, _label in response.context["adminform"].form.fields["filing"].choices if c}
    assert {int(str(c)) for c in choices} == {filing.pk}
    refused = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/", _add_payload(other_filing)
    )
    assert refused.status_code == 200  # form error: not a valid choice
    assert not Inspection.objects.exists()


def test_it_shows_bad_observed_classes_as_form_errors(filing, admin_inspector):
    response = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/",
        _add_payload(
            filing, observed_classes='[{"class_type": "nursery", "children": 1, "carers": 1}]'
        ),
    )
    assert response.status_code == 200
    assert "observed_classes" in response.context["adminform"].form.errors
    assert not Inspection.objects.exists()


def test_it_keeps_existing_findings_read_only_in_the_inline(filing, admin_inspector):
    inspection = f.inspection(filing, admin_inspector)
    finding = f.finding(inspection)
    response = _client(admin_inspector).get(
        f"/admin/inspections/inspection/{inspection.pk}/change/"
    )
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_change_permission is False
    assert finding.description in response.content.decode()


def test_it_verifies_rectifications_from_the_admin_action(filing, admin_inspector):
    finding = f.finding(f.inspection(filing, admin_inspector), status="rectification_submitted")
    response = _client(admin_inspector).post(
        "/admin/inspections/finding/",
        {"action": "accept_rectification", "_selected_action": [finding.pk]},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "verified"
    assert finding.transitions.get().actor == admin_inspector


def test_it_schedules_a_follow_up_from_a_finding(filing, admin_inspector):
    finding = f.finding(f.inspection(filing, admin_inspector))
    _client(admin_inspector).post(
        "/admin/inspections/finding/",
        {"action": "schedule_follow_up", "_selected_action": [finding.pk]},
    )
    follow_up = Inspection.objects.get(follow_up_of=finding)
    assert follow_up.kind == "follow_up"


def test_it_filters_findings_by_overdue(filing, admin_inspector):
    late = f.finding(f.inspection(filing, admin_inspector), deadline=date(2020, 1, 1))
    f.finding(late.inspection, deadline=date(2099, 1, 1))
    response = _client(admin_inspector).get("/admin/inspections/finding/?overdue=yes")
    assert [o.pk for o in response.context["cl"].result_list] == [late.pk]


def test_it_forbids_inspectors_to_edit_filings_or_penalties(filing, admin_inspector):
    client = _client(admin_inspector)
    # Registry's FilingAdmin may or may not be registered on this branch: either way, never 200.
    assert client.get(f"/admin/registry/filing/{filing.pk}/change/").status_code in (403, 404)
    assert client.get("/admin/inspections/enforcementaction/add/").status_code == 403
    assert client.get("/admin/inspections/checklisttemplate/add/").status_code == 403
    for ban_url in ("/admin/registry/ban/add/", "/admin/inspections/ban/add/"):
        assert client.get(ban_url).status_code in (403, 404)
    assert admin_inspector.has_perm("inspections.change_inspection")
    assert not admin_inspector.has_perm("registry.change_filing")


def test_it_refuses_the_admin_to_an_operator(operator):
    response = _client(operator).get("/admin/inspections/inspection/")
    assert response.status_code == 302  # to the admin login


def test_it_rolls_back_the_visit_when_an_inline_finding_is_refused(filing, admin_inspector):
    response = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/",
        _add_payload(filing, **{"findings-0-deadline": "2026-01-01"}),  # before the visit
        follow=True,
    )
    assert "整改期限不能早于检查日期" in response.content.decode()
    assert not Inspection.objects.exists() and not Finding.objects.exists()


def test_it_renders_the_finding_change_form_with_history(filing, admin_inspector, operator):
    from inspections.services import findings

    finding = f.finding(f.inspection(filing, admin_inspector))
    findings.submit_rectification(finding, actor=operator, note="已整改完毕")
    response = _client(admin_inspector).get(f"/admin/inspections/finding/{finding.pk}/change/")
    assert response.status_code == 200
    assert "已整改完毕" in response.content.decode()


def test_it_corrects_a_visit_through_the_update_service(filing, admin_inspector):
    inspection = f.inspection(filing, admin_inspector)
    data = {
        "inspectors": [admin_inspector.pk],
        "checklist_answers": "{}",
        "observed_classes": '[{"class_type": "infant", "children": 9, "carers": 2}]',
        "notes": "补充记录",
        "published": "on",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
    }
    response = _client(admin_inspector).post(
        f"/admin/inspections/inspection/{inspection.pk}/change/", data
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.notes == "补充记录"
    assert [v["rule"] for v in inspection.standards_check] == ["carer_ratio_below_standard"]
    assert inspection.kind == "routine"  # fixed once logged
    filing.refresh_from_db()
    assert filing.latest_inspection["visited_on"] == "2026-03-02"


def test_it_estimates_counts_of_large_unfiltered_changelists(filing, admin_inspector):
    from django.db import connection

    from inspections.admin.base import EstimatedCountPaginator

    f.finding(f.inspection(filing, admin_inspector))
    assert EstimatedCountPaginator(Finding.objects.order_by("id"), 100).count == 1
    with connection.cursor() as cursor:  # pretend the table is big (rolled back with the test)
        cursor.execute(
            "UPDATE pg_class SET reltuples = 2500000 WHERE relname = 'inspections_finding'"
        )
    assert EstimatedCountPaginator(Finding.objects.order_by("id"), 100).count == 2_500_000
    # A filtered (scoped) list still counts exactly.
    assert (
        EstimatedCountPaginator(Finding.objects.filter(severity="major").order_by("id"), 100).count
        == 1
    )


def test_it_filters_visits_by_department(filing, admin_inspector):
    both = f.inspection(filing, admin_inspector, departments=["health", "fire"])
    f.inspection(filing, admin_inspector)
    response = _client(admin_inspector).get("/admin/inspections/inspection/?department=fire")
    assert [o.pk for o in response.context["cl"].result_list] == [both.pk]
