"""Concurrent accepts never duplicate or skip a filing number."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from registry.models import Filing, FilingStatus
from registry.services import filings as svc
from tests import factories
from tests.factories import submitted_filing
from tuoyu_portal.accounts.models import Role

N = 8


@pytest.mark.django_db
def test_it_formats_the_number_by_county_year_and_sequence() -> None:
    assert svc.format_filing_number("371103", 2026, 1) == "371103-2026-00001"


@pytest.mark.django_db
def test_a_region_sets_its_own_number_format() -> None:
    from tuoyu_portal.regions.models import RegionRule

    RegionRule.objects.create(
        key="filing_number_format",
        region_id="371100",
        value="RZ{region}托备{year}第{seq:04d}号",
        effective_from=date(2020, 1, 1),
    )
    assert svc.format_filing_number("371103", 2026, 7) == "RZ371103托备2026第0007号"
    assert svc.format_filing_number("141023", 2026, 7) == "141023-2026-00007"


@pytest.mark.django_db(transaction=True)
def test_it_numbers_concurrent_accepts_without_gaps_or_duplicates() -> None:
    operator = factories.UserFactory(username="op_conc", role=Role.OPERATOR, region_id="371103")
    reviewer = factories.UserFactory(
        username="rev_conc", role=Role.HEALTH_REVIEWER, region_id="371103"
    )
    filings = [
        submitted_filing(operator, factories.InstitutionFactory(region_id="371103", owner=operator))
        for _ in range(N)
    ]
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    def accept(filing: Filing) -> None:
        try:
            barrier.wait()
            svc.accept_filing(filing, actor=reviewer)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=accept, args=(f,)) for f in filings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = date.today().year
    numbers = sorted(Filing.objects.values_list("filing_number", flat=True))
    assert numbers == [f"371103-{year}-{i:05d}" for i in range(1, N + 1)]


def test_it_gives_the_number_back_when_the_accept_rolls_back(
    operator, institution, county_reviewer, monkeypatch
) -> None:
    filing = submitted_filing(operator, institution)

    def fail_after_numbering(*args: object, **kwargs: object) -> None:
        raise RuntimeError  # a step after the number was taken fails: the whole accept rolls back

    with monkeypatch.context() as patch:
        patch.setattr(svc.receipts, "issue_snapshot", fail_after_numbering)
        with pytest.raises(RuntimeError):
            svc.accept_filing(filing, actor=county_reviewer)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED and not filing.filing_number
    accepted = svc.accept_filing(filing, actor=county_reviewer)
    assert accepted.filing_number.endswith("-00001")


def test_it_refuses_to_accept_inside_a_callers_transaction(
    operator, institution, county_reviewer
) -> None:
    """The accept is its own transaction (durable): no caller can roll a number back later."""
    filing = submitted_filing(operator, institution)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        svc.accept_filing(filing, actor=county_reviewer)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_it_numbers_each_county_separately(
    operator, institution, county_reviewer, other_operator, other_institution, other_county_reviewer
) -> None:
    a = svc.accept_filing(submitted_filing(operator, institution), actor=county_reviewer)
    b = svc.accept_filing(
        submitted_filing(other_operator, other_institution), actor=other_county_reviewer
    )
    assert a.filing_number.startswith("371103-") and a.filing_number.endswith("-00001")
    assert b.filing_number.startswith("141023-") and b.filing_number.endswith("-00001")
