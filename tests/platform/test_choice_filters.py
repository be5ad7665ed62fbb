"""Queue filters without forms (tuoyu_portal/filters.py): filtering, 400s, and the schema."""

from __future__ import annotations

from datetime import date

from registry.models import HealthInboxEntry
from tests import factories
from tests.conftest import client_for
from tuoyu_portal.accounts.models import User


def test_it_filters_registrations_by_status_and_authority(registrar: User) -> None:
    submitted = factories.SubmittedRegistrationFactory(authority=registrar.authority)
    factories.RegistrationFactory(authority=registrar.authority)  # a draft: never routed
    client = client_for(registrar)
    rows = client.get("/api/v1/registrations/", {"status": "submitted"}).json()["results"]
    assert [r["id"] for r in rows] == [submitted.pk]
    other = client.get("/api/v1/registrations/", {"authority": "bianban"}).json()["results"]
    assert all(r["authority"] == "bianban" for r in other)


def test_a_bad_choice_is_a_400_with_the_rule_code_and_a_chinese_message(registrar: User) -> None:
    response = client_for(registrar).get("/api/v1/registrations/", {"status": "nope"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "invalid_choice" and error["field"] == "status"
    assert error["message"] == "不是有效的选项。"


def test_the_inbox_filters_on_computed_yes_no_columns(county_reviewer: User) -> None:
    reg = factories.SubmittedRegistrationFactory()
    HealthInboxEntry.objects.create(
        idempotency_key="filter-test",
        event="approved",
        registration_ref=reg.pk,
        registration=reg,
        credit_code="",
        name=reg.name,
        region_id=county_reviewer.region_id,
        approved_on=date(2020, 1, 6),
        payload={},
    )
    client = client_for(county_reviewer)
    overdue = client.get("/api/v1/health-inbox/", {"overdue": "true"}).json()["results"]
    assert [r["name"] for r in overdue] == [reg.name] and overdue[0]["overdue"] is True
    assert client.get("/api/v1/health-inbox/", {"overdue": "false"}).json()["results"] == []
    assert client.get("/api/v1/health-inbox/", {"has_filing": "True"}).json()["results"] == []
    bad = client.get("/api/v1/health-inbox/", {"overdue": "perhaps"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "invalid"


def test_the_filters_are_in_the_openapi_schema(db: None) -> None:
    schema = client_for(None).get("/api/schema/", {"format": "json"}).json()
    params = {
        p["name"]: p["schema"]
        for p in schema["paths"]["/api/v1/registrations/"]["get"]["parameters"]
    }
    assert "submitted" in params["status"]["enum"] and "minzheng" in params["authority"]["enum"]
    inbox = {p["name"] for p in schema["paths"]["/api/v1/health-inbox/"]["get"]["parameters"]}
    assert {"has_filing", "overdue", "event"} <= inbox
