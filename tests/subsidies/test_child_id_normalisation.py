"""The child-month de-duplication sees one child whatever the form of its ID."""

from __future__ import annotations

from typing import Any

import pytest

from registry.models import Filing
from subsidies.models import ChildMonthClaim
from subsidies.services.claims import submit_claim
from tests.subsidies.conftest import CHILD, draft_family_claim, family_lines
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError

FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789X"}
ARABIC_INDIC = {ord(c): 0x0660 + int(c) for c in "0123456789"}


@pytest.mark.parametrize(
    "typed",
    [
        "\u3000" + CHILD.translate(FULL),
        CHILD[:8] + "\u00a0" + CHILD[8:],
        CHILD.lower() + "\u3000",
    ],
)
def test_a_full_width_child_id_cannot_claim_the_same_month_twice(
    filing: Filing,
    second_filing: Filing,
    operator: User,
    second_operator: User,
    schemes: Any,
    typed: str,
) -> None:
    first = draft_family_claim(filing, operator, schemes)
    submit_claim(first, actor=operator)
    # Refused when the second draft is created (one claim per child-month from creation on):
    # the typed form is the same child once normalised.
    with pytest.raises(DomainError) as caught:
        draft_family_claim(
            second_filing, second_operator, schemes, lines=family_lines(number=typed)
        )
    assert [v.code for v in caught.value.violations] == ["duplicate_claim"]
    assert first.lines.get().child_id_hash == crypto.keyed_hash(CHILD)
    assert ChildMonthClaim.objects.count() == 2  # only the first claim's May and June


def test_the_same_child_twice_in_one_claim_is_caught_in_any_form(
    filing: Filing, operator: User, schemes: Any
) -> None:
    lines = family_lines() + family_lines(number=CHILD.translate(FULL))
    with pytest.raises(DomainError) as caught:
        draft_family_claim(filing, operator, schemes, lines=lines)
    assert "duplicate_child_in_claim" in [v.code for v in caught.value.violations]


def test_an_arabic_indic_child_id_is_a_400_through_the_api(
    filing: Filing, operator: User, schemes: Any
) -> None:
    from tests.conftest import client_for

    response = client_for(operator).post(
        "/api/v1/subsidy-claims/",
        {
            "filing": filing.pk,
            "scheme": schemes["family_fee"].pk,
            "period_start": "2026-05",
            "period_end": "2026-06",
            "lines": [
                {
                    "child_name": "小明",
                    "child_id_number": CHILD.translate(ARABIC_INDIC),
                    "birth_order": 2,
                    "months": ["2026-05"],
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "invalid_id_number" in [e["code"] for e in response.json()["errors"]]
