"""Property-based fuzzing of every operation in the OpenAPI schema.

schemathesis generates requests from `/api/schema/` and sends them in-process to the WSGI app,
signed in with a token of the role that owns each part of the API. Checks: never a 5xx, and every
documented response conforms to its schema. `make test` runs FUZZ_EXAMPLES (default 100) per
operation; `make fuzz` runs 1000 plus schemathesis' coverage phase. Hypothesis is derandomized so CI failures reproduce.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.accounts.tokens import issue_token
from tuoyu_portal.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# schemathesis' "coverage" phase adds boundary cases on top of max_examples (≈ 15× the requests);
# it runs in `make fuzz` (FUZZ_COVERAGE=1), not in every `make test`.
schema.config.phases.coverage.enabled = os.environ.get("FUZZ_COVERAGE") == "1"

# Which member of the cast calls which part of the API: the role that owns it, so requests get
# past the role gates and reach the serializers and services.
ROLE_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("/api/v1/registration-imports", Role.REGISTRAR),
    ("/api/v1/registrations", Role.REGISTRAR),
    ("/api/v1/health-inbox", Role.HEALTH_REVIEWER),
    ("/api/v1/bans", Role.HEALTH_REVIEWER),
    ("/api/v1/complaints", Role.HEALTH_REVIEWER),
    ("/api/v1/filing-changes", Role.HEALTH_REVIEWER),
    ("/api/v1/inspections", Role.INSPECTOR),
    ("/api/v1/inspection-due", Role.INSPECTOR),
    ("/api/v1/enforcement-actions", Role.INSPECTOR),
    ("/api/v1/payment-batches", Role.SUBSIDY_OFFICER),
    ("/api/v1/stats", Role.SUPERVISOR),
)


def role_for(path: str) -> str:
    for prefix, role in ROLE_BY_PREFIX:
        if path.startswith(prefix):
            return role
    return Role.OPERATOR


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes "old" connections at each request's start and end; Django's test
    client switches that off, and so must an in-process fuzzer, or the test transaction dies."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db: None) -> dict[str, str]:
    """One token per role, all in county 371103 (the supervisor: Shandong)."""
    found: dict[str, str] = {}
    for role in Role.values:
        extra: dict[str, Any] = {}
        if role == Role.REGISTRAR:
            extra["authority"] = "scjg"
        if role == Role.INSPECTOR:
            extra.update(department="health", is_staff=True)
        user: User = factories.UserFactory(
            username=f"fuzz_{role}",
            role=role,
            region_id="370000" if role == Role.SUPERVISOR else "371103",
            **extra,
        )
        if role == Role.OPERATOR:
            factories.InstitutionFactory(region_id="371103", owner=user)
        found[role] = issue_token(user)[1]
    return found


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_it_never_fails_and_answers_as_documented(case: Any, tokens: dict[str, str]) -> None:
    token = tokens[role_for(case.path)]
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
    )
