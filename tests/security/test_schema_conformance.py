"""The published schema matches the answers , each finding of the fuzzing
replayed on purpose: the answer is checked against the schema by schemathesis' own checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import response_schema_conformance, status_code_conformance

from subsidies.models import SchemeKind
from subsidies.services.claims import LineInput, create_claim
from tests import factories
from tests.factories import FiledFilingFactory, inspection, lanshan_schemes
from tests.security.test_fuzz_api import schema
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    # As in test_fuzz_api: the in-process WSGI calls must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _check(path: str, method: str, user: User, body: Any = None, **params: Any) -> Any:
    operation = schema[path][method]
    kwargs: dict[str, Any] = {"path_parameters": params}
    if body is not None:
        kwargs["body"] = body
        kwargs["media_type"] = "application/json"
    case = operation.Case(**kwargs)
    return case.call_and_validate(
        headers={"Authorization": f"Token {issue_token(user)[1]}"},
        checks=[response_schema_conformance, status_code_conformance],
    )


@pytest.fixture
def operator(db: None) -> User:
    return factories.UserFactory(username="schema_op", role=Role.OPERATOR, region_id="371103")


def test_readiness_is_null_for_a_filed_filing_and_the_schema_says_so(operator: User) -> None:
    filing = FiledFilingFactory(
        institution=factories.InstitutionFactory(region_id="371103", owner=operator)
    )
    response = _check("/api/v1/filings/{id}/", "GET", operator, id=filing.pk)
    assert response.json()["readiness"] is None


def test_an_ungraded_inspection_s_blank_quality_grade_is_in_the_schema() -> None:
    inspector = factories.UserFactory(
        role=Role.INSPECTOR, region_id="371103", department="health", is_staff=True
    )
    visit = inspection(
        FiledFilingFactory(institution=factories.InstitutionFactory(region_id="371103")), inspector
    )
    response = _check("/api/v1/inspections/{id}/", "GET", inspector, id=visit.pk)
    assert response.json()["quality_grade"] == ""


def test_start_up_claim_lines_without_months_are_in_the_schema(operator: User) -> None:
    from datetime import date

    from tests.factories import FiledFilingFactory

    filing = FiledFilingFactory(
        institution=factories.InstitutionFactory(region_id="371103", owner=operator)
    )
    schemes = lanshan_schemes()
    claim = create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.STARTUP],
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 1),
        lines=[LineInput(classes=1)],
    )
    response = _check("/api/v1/subsidy-claims/{id}/", "GET", operator, id=claim.pk)
    assert "months" not in response.json()["lines"][0]


def test_a_refused_transition_s_409_and_a_broken_rule_s_400_are_documented(
    operator: User,
) -> None:
    draft = factories.RegistrationFactory(institution=factories.InstitutionFactory())
    # The registrar of the office the region's rules route the draft to (岚山: 行政审批).
    registrar = factories.UserFactory(
        role=Role.REGISTRAR, region_id=draft.region_id, authority=draft.authority
    )
    conflict = _check(
        "/api/v1/registrations/{id}/approve/", "POST", registrar, body={}, id=draft.pk
    )
    assert conflict.status_code in (400, 409)
    missing = _check("/api/v1/registrations/{id}/", "GET", registrar, id=10**9)
    assert missing.status_code == 404
