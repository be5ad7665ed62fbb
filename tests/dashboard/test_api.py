"""Statistics API: jurisdiction, the contract's fields, the public anonymised subset."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import client_for
from tests.dashboard.factories import DONGGANG, LANSHAN
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {
    "region",
    "year",
    "places",
    "population",
    "places_per_1000",
    "target_per_1000",
    "filings_by_status",
    "receipts_on_time_rate",
    "conformity_on_time_rate",
    "registered_not_filed",
    "inspection_coverage",
    "open_findings_by_severity",
    "subsidy_paid_by_scheme",
}


def test_it_returns_the_contract_fields_to_the_county_reviewer(
    stats: dict[str, Any], county_reviewer: User
) -> None:
    response = client_for(county_reviewer).get(f"/api/v1/stats/regions/{LANSHAN}/?year=2026")

    assert response.status_code == 200
    data = response.json()
    assert set(data) >= CONTRACT_FIELDS
    assert data["places"] == 50 and data["places_per_1000"] == 5.0
    assert data["subsidy_paid_by_scheme"]["startup"] == "40000.00"
    assert data["subsidy_paid_by_scheme"]["place_operation"] == "0.00"
    assert data["receipts_on_time_rate"] == 0.3333


def test_it_defaults_to_the_current_beijing_year(
    stats: dict[str, Any], county_reviewer: User
) -> None:
    response = client_for(county_reviewer).get(f"/api/v1/stats/regions/{LANSHAN}/")

    assert response.json()["year"] == 2026


def test_it_answers_404_for_another_county(
    stats: dict[str, Any], other_county_reviewer: User, county_reviewer: User
) -> None:
    assert (
        client_for(other_county_reviewer).get(f"/api/v1/stats/regions/{LANSHAN}/").status_code
        == 404
    )
    # A county reviewer cannot look up, at its city or at a sibling county either.
    assert client_for(county_reviewer).get("/api/v1/stats/regions/371100/").status_code == 404
    assert client_for(county_reviewer).get(f"/api/v1/stats/regions/{DONGGANG}/").status_code == 404


def test_it_lets_the_province_supervisor_see_the_county_and_the_city(
    stats: dict[str, Any], supervisor: User
) -> None:
    client = client_for(supervisor)

    assert client.get(f"/api/v1/stats/regions/{LANSHAN}/").json()["places"] == 50
    assert client.get("/api/v1/stats/regions/371100/").json()["places"] == 90
    assert client.get("/api/v1/stats/regions/141023/").status_code == 404  # 山西


@pytest.mark.parametrize("role_fixture", ["operator", "inspector", "finance_officer", "registrar"])
def test_it_answers_404_to_other_roles(
    stats: dict[str, Any], role_fixture: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(role_fixture)

    assert client_for(user).get(f"/api/v1/stats/regions/{LANSHAN}/").status_code == 404


def test_it_requires_authentication(stats: dict[str, Any]) -> None:
    assert client_for(None).get(f"/api/v1/stats/regions/{LANSHAN}/").status_code in (401, 403)


def test_it_answers_404_for_an_unknown_region(supervisor: User) -> None:
    assert client_for(supervisor).get("/api/v1/stats/regions/379999/").status_code == 404


def test_it_gives_the_public_anonymised_aggregates(stats: dict[str, Any]) -> None:
    response = client_for(None).get("/api/v1/public/stats/regions/371100/?year=2026")

    assert response.status_code == 200
    data = response.json()
    assert data["places"] == 90 and data["places_per_1000"] == 3.0
    counties = {row["region"]: row for row in data["counties"]}
    assert counties[LANSHAN]["inclusive_share"] == 0.6
    assert counties[LANSHAN]["receipts_on_time_rate"] == 0.3333
    # No institution-level or personal data, nor supervision detail, anywhere in the payload.
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("托育有限公司", "王明", "13800000000", "filing_number", "complaints"):
        assert secret not in text
    assert "subsidy_paid_by_scheme" not in data and "registered_not_filed" not in data


def test_it_documents_both_endpoints_in_the_schema(supervisor: User) -> None:
    response = client_for(supervisor).get("/api/schema/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/stats/regions/{code}/" in body
    assert "/api/v1/public/stats/regions/{code}/" in body
