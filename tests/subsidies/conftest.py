"""Subsidy fixtures on top of the named cast: A's filed filing, 岚山 schemes, a second 岚山
institution (for cross-institution duplicates) and 襄汾's subsidy officer."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.models import Filing, Institution
from subsidies.models import Claim, Scheme, SchemeKind
from subsidies.services.claims import LineInput, create_claim
from tests import factories
from tests.factories import FiledFilingFactory, child_id_number, lanshan_schemes
from tuoyu_portal.accounts.models import Role, User

CHILD = child_id_number(date(2025, 1, 15), 7)
MAY, JUN, JUL, AUG = (date(2026, m, 1) for m in (5, 6, 7, 8))


@pytest.fixture
def schemes(db: None) -> dict[str, Scheme]:
    return lanshan_schemes()


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(institution=institution)


@pytest.fixture
def second_operator(db: None) -> User:
    return factories.UserFactory(username="operator_a2", role=Role.OPERATOR, region_id="371103")


@pytest.fixture
def second_filing(second_operator: User) -> Filing:
    institution = factories.InstitutionFactory(
        region_id="371103", owner=second_operator, name="岚山区童心托育中心"
    )
    return FiledFilingFactory(institution=institution)


@pytest.fixture
def other_finance_officer(db: None) -> User:
    return factories.UserFactory(
        username="subsidy_b", role=Role.SUBSIDY_OFFICER, region_id="141023"
    )


def family_lines(
    number: str = CHILD, months: tuple[date, ...] = (MAY, JUN), order: int = 2
) -> list[LineInput]:
    return [LineInput(child_name="小明", child_id_number=number, birth_order=order, months=months)]


def draft_family_claim(
    filing: Filing, actor: User, schemes: dict[str, Scheme], **kwargs: Any
) -> Claim:
    return create_claim(
        filing,
        actor=actor,
        scheme=schemes[SchemeKind.FAMILY_FEE],
        period_start=kwargs.pop("period_start", MAY),
        period_end=kwargs.pop("period_end", JUN),
        lines=kwargs.pop("lines", None) or family_lines(),
    )
