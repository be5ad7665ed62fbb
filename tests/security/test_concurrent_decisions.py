"""Fifty simultaneous decisions on one object: exactly one 200, every other a
409 `invalid_transition`, one history row and at most one outbox row.

Each thread has its own database connection (Django connections are per thread) and its own API
client, and all of them are released together by a barrier, so the row lock in the service is
what decides — not the order the test happens to start them in.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from registry.models import FilingTransition, RegistrationTransition
from subsidies.models import ClaimTransition
from subsidies.services.claims import submit_claim
from tests import factories
from tests.factories import FiledFilingFactory, credit_code, lanshan_schemes, submitted_filing
from tests.subsidies.conftest import draft_family_claim
from tuoyu_portal.exchange.models import OutboxEvent

THREADS = 50


def race(user: Any, url: str, body: dict[str, Any]) -> tuple[Counter[int], set[str]]:
    """POST the same decision from THREADS threads at once; status counts and error codes."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    codes: set[str] = set()
    lock = threading.Lock()

    def decide() -> None:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(url, body, format="json")
            with lock:
                statuses.append(response.status_code)
                if response.status_code != 200:
                    codes.update(e["code"] for e in response.json().get("errors", []))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(statuses), codes


def assert_one_winner(outcome: tuple[Counter[int], set[str]]) -> None:
    statuses, codes = outcome
    assert statuses == Counter({200: 1, 409: THREADS - 1}), statuses
    assert codes == {"invalid_transition"}


@pytest.mark.django_db(transaction=True)
def test_it_approves_a_registration_once_under_fifty_concurrent_approvals(registrar: Any) -> None:
    registration = factories.SubmittedRegistrationFactory(name="岚山区并发全日制托育有限公司")
    before = RegistrationTransition.objects.filter(registration=registration).count()
    assert_one_winner(
        race(
            registrar,
            f"/api/v1/registrations/{registration.pk}/approve/",
            {"credit_code": credit_code(4242)},
        )
    )
    history = RegistrationTransition.objects.filter(registration=registration)
    assert history.count() == before + 1
    assert history.filter(to_status="approved").count() == 1
    assert OutboxEvent.objects.count() <= 1


@pytest.mark.django_db(transaction=True)
def test_it_accepts_a_filing_once_under_fifty_concurrent_acceptances(
    operator: Any, institution: Any, county_reviewer: Any
) -> None:
    filing = submitted_filing(operator, institution)
    outbox_before = OutboxEvent.objects.count()
    assert_one_winner(race(county_reviewer, f"/api/v1/filings/{filing.pk}/accept/", {}))
    assert FilingTransition.objects.filter(filing=filing, to_status="filed").count() == 1
    filing.refresh_from_db()
    assert filing.status == "filed" and filing.filing_number
    assert OutboxEvent.objects.count() - outbox_before <= 1


@pytest.mark.django_db(transaction=True)
def test_it_approves_a_claim_once_under_fifty_concurrent_approvals(
    operator: Any, institution: Any, finance_officer: Any
) -> None:
    claim = draft_family_claim(
        FiledFilingFactory(institution=institution), operator, lanshan_schemes()
    )
    claim = submit_claim(claim, actor=operator)
    outbox_before = OutboxEvent.objects.count()
    assert_one_winner(race(finance_officer, f"/api/v1/subsidy-claims/{claim.pk}/approve/", {}))
    assert ClaimTransition.objects.filter(claim=claim, to_status="approved").count() == 1
    assert OutboxEvent.objects.count() - outbox_before <= 1
