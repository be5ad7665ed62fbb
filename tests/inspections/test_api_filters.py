"""The inspections lists' query filters: the rows each one keeps, and the 400 every bad value
gets, word for word (the answers clients have always had from these lists)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from inspections.models import Complaint, ComplaintStatus, Finding
from inspections.services import complaints, credit, enforcement
from registry.models import Filing
from tests import factories as f
from tests.conftest import client_for
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db

INSPECTIONS = "/api/v1/inspections/"
FINDINGS = "/api/v1/findings/"
COMPLAINTS = "/api/v1/complaints/"
ENFORCEMENT = "/api/v1/enforcement-actions/"
CREDIT = "/api/v1/credit-records/"

CHOICE_PARAMS = [
    (INSPECTIONS, "kind"),
    (FINDINGS, "status"),
    (FINDINGS, "severity"),
    (COMPLAINTS, "status"),
    (ENFORCEMENT, "kind"),
    (ENFORCEMENT, "correction_status"),
    (CREDIT, "source"),
]
ID_PARAMS = [
    (INSPECTIONS, "filing"),
    (INSPECTIONS, "institution"),
    (FINDINGS, "inspection"),
    (FINDINGS, "institution"),
    (ENFORCEMENT, "institution"),
    (CREDIT, "institution"),
]
NOT_A_CHOICE = "选择一个有效的选项。 {} 不在可用的选项中。"
NOT_AN_ID = "选择一个有效的选项： 该选择不在可用的选项中。"


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(("path", "param"), CHOICE_PARAMS)
def test_a_value_outside_the_choices_is_a_400_that_repeats_it(
    county_reviewer: User, path: str, param: str
) -> None:
    response = client_for(county_reviewer).get(path, {param: "nope"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid_choice", "message": NOT_A_CHOICE.format("nope"), "field": param}
    ]


@pytest.mark.parametrize(("path", "param"), ID_PARAMS)
@pytest.mark.parametrize("raw", ["abc", "1.5", "999999999", "99999999999999999999"])
def test_an_id_that_names_nothing_is_a_400(
    county_reviewer: User, path: str, param: str, raw: str
) -> None:
    response = client_for(county_reviewer).get(path, {param: raw})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid_choice", "message": NOT_AN_ID, "field": param}
    ]


@pytest.mark.parametrize(("path", "param"), CHOICE_PARAMS + ID_PARAMS)
def test_an_empty_value_filters_nothing(county_reviewer: User, path: str, param: str) -> None:
    assert client_for(county_reviewer).get(path, {param: ""}).status_code == 200


def test_an_id_outside_the_callers_region_is_no_error_and_keeps_no_row(
    filing: Filing, other_filing: Filing, inspector: User, county_reviewer: User
) -> None:
    f.inspection(filing, inspector)
    client = client_for(county_reviewer)
    assert _ids(client.get(INSPECTIONS, {"filing": other_filing.pk})) == []
    assert _ids(client.get(INSPECTIONS, {"institution": other_filing.institution_id})) == []
    assert _ids(client.get(FINDINGS, {"institution": other_filing.institution_id})) == []


def test_inspections_filter_by_kind_filing_and_institution(
    filing: Filing, inspector: User, county_reviewer: User
) -> None:
    neighbour = f.InstitutionFactory(region_id=filing.region_id)
    second = f.FiledFilingFactory(institution=neighbour)
    routine = f.inspection(filing, inspector)
    fire = f.inspection(second, inspector, kind="fire")
    client = client_for(county_reviewer)
    assert _ids(client.get(INSPECTIONS, {"kind": "fire"})) == [fire.pk]
    assert _ids(client.get(INSPECTIONS, {"filing": filing.pk})) == [routine.pk]
    assert _ids(client.get(INSPECTIONS, {"filing": f" {second.pk} "})) == [fire.pk]
    assert _ids(client.get(INSPECTIONS, {"institution": neighbour.pk})) == [fire.pk]
    both = client.get(INSPECTIONS, {"institution": filing.institution_id, "kind": "fire"})
    assert _ids(both) == []


def test_findings_filter_by_status_severity_inspection_and_institution(
    filing: Filing, inspector: User, county_reviewer: User
) -> None:
    first = f.inspection(filing, inspector)
    second = f.inspection(filing, inspector)
    major = f.finding(first)
    critical = f.finding(second, severity="critical")
    Finding.objects.filter(pk=critical.pk).update(status="verified")
    client = client_for(county_reviewer)
    assert _ids(client.get(FINDINGS, {"severity": "critical"})) == [critical.pk]
    assert _ids(client.get(FINDINGS, {"status": "open"})) == [major.pk]
    assert _ids(client.get(FINDINGS, {"inspection": second.pk})) == [critical.pk]
    everyone = client.get(FINDINGS, {"institution": filing.institution_id})
    assert sorted(_ids(everyone)) == sorted([major.pk, critical.pk])


def test_complaints_filter_by_status(filing: Filing, county_reviewer: User) -> None:
    received = complaints.submit_complaint(facility=filing.filing_number, content="投诉一")
    other = complaints.submit_complaint(facility=filing.filing_number, content="投诉二")
    Complaint.objects.filter(pk=other.pk).update(status=ComplaintStatus.INVESTIGATING)
    client = client_for(county_reviewer)
    assert _ids(client.get(COMPLAINTS, {"status": "received"})) == [received.pk]
    assert _ids(client.get(COMPLAINTS, {"status": "investigating"})) == [other.pk]


def test_enforcement_actions_filter_by_kind_correction_and_institution(
    filing: Filing, county_reviewer: User
) -> None:
    common: dict[str, Any] = {
        "actor": county_reviewer,
        "legal_basis": "人口与计划生育法第四十一条",
        "decided_on": date(2026, 3, 1),
    }
    warning = enforcement.record_enforcement(
        filing, kind="warning", decision_ref="岚卫罚〔2026〕1号", **common
    )
    fine = enforcement.record_enforcement(
        filing, kind="fine", decision_ref="岚卫罚〔2026〕2号", amount=Decimal("8000.00"), **common
    )
    client = client_for(county_reviewer)
    assert _ids(client.get(ENFORCEMENT, {"kind": "fine"})) == [fine.pk]
    assert _ids(client.get(ENFORCEMENT, {"kind": "warning"})) == [warning.pk]
    status = fine.correction_status
    kept = _ids(client.get(ENFORCEMENT, {"correction_status": status}))
    assert sorted(kept) == sorted(a.pk for a in (warning, fine) if a.correction_status == status)
    everyone = client.get(ENFORCEMENT, {"institution": filing.institution_id})
    assert sorted(_ids(everyone)) == sorted([warning.pk, fine.pk])


def test_credit_records_filter_by_institution_and_source(
    filing: Filing, county_reviewer: User
) -> None:
    own = credit.record_credit(
        source="finding",
        source_id=1,
        rule_key="credit_weight_major",
        reason="较重问题",
        region_code=filing.region_id,
        institution_id=filing.institution_id,
    )
    ban = credit.record_credit(
        source="ban",
        source_id=2,
        rule_key="credit_weight_ban",
        reason="终身禁入",
        region_code=filing.region_id,
        person_id_hash="h" * 64,
        person_name="张某",
    )
    client = client_for(county_reviewer)
    assert _ids(client.get(CREDIT, {"institution": filing.institution_id})) == [own.pk]
    assert _ids(client.get(CREDIT, {"source": "ban"})) == [ban.pk]


def test_every_bad_filter_is_named_in_the_order_the_list_declares_them(
    county_reviewer: User,
) -> None:
    response = client_for(county_reviewer).get(
        FINDINGS, {"institution": "x", "severity": "y", "inspection": "z", "status": "w"}
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("status", "invalid_choice"),
        ("severity", "invalid_choice"),
        ("inspection", "invalid_choice"),
        ("institution", "invalid_choice"),
    ]


def test_in_english_both_kinds_of_bad_value_get_the_generic_message(
    county_reviewer: User,
) -> None:
    client = client_for(county_reviewer)
    response = client.get(
        FINDINGS, {"status": "nope", "inspection": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid_choice", "message": "Not a valid choice.", "field": "status"},
        {"code": "invalid_choice", "message": "Not a valid choice.", "field": "inspection"},
    ]


def test_a_detail_answer_obeys_the_filters_too(
    filing: Filing, inspector: User, county_reviewer: User
) -> None:
    finding = f.finding(f.inspection(filing, inspector))
    client = client_for(county_reviewer)
    url = f"{FINDINGS}{finding.pk}/"
    assert client.get(url, {"status": "open"}).status_code == 200
    assert client.get(url, {"status": "verified"}).status_code == 404
    bad = client.get(url, {"status": "nope"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
