"""The subsidies lists' query filters: the rows each one keeps, and the 400 every bad value gets,
word for word (the answers clients have always had from these lists)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.models import Filing
from subsidies.models import Claim, Scheme, SchemeKind
from subsidies.services.batches import create_batch
from subsidies.services.claims import approve_claim, submit_claim
from tests import factories
from tests.conftest import client_for
from tests.factories import child_id_number
from tests.subsidies.conftest import draft_family_claim, family_lines
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db

SCHEMES = "/api/v1/subsidy-schemes/"
CLAIMS = "/api/v1/subsidy-claims/"
QUEUE = "/api/v1/subsidy-claims/queue/"
BATCHES = "/api/v1/payment-batches/"

CHOICE_PARAMS = [
    (SCHEMES, "kind"),
    (CLAIMS, "status"),
    (CLAIMS, "kind"),
    (QUEUE, "status"),
    (QUEUE, "kind"),
    (BATCHES, "status"),
]
NOT_A_CHOICE = "选择一个有效的选项。 {} 不在可用的选项中。"
NOT_AN_ID = "选择一个有效的选项： 该选择不在可用的选项中。"


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(("path", "param"), CHOICE_PARAMS)
def test_a_value_outside_the_choices_is_a_400_that_repeats_it(
    finance_officer: User, path: str, param: str
) -> None:
    response = client_for(finance_officer).get(path, {param: "nope"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid_choice", "message": NOT_A_CHOICE.format("nope"), "field": param}
    ]


@pytest.mark.parametrize("path", [CLAIMS, QUEUE])
@pytest.mark.parametrize("raw", ["abc", "1.5", "999999999", "99999999999999999999"])
def test_a_filing_id_that_names_nothing_is_a_400(
    finance_officer: User, path: str, raw: str
) -> None:
    response = client_for(finance_officer).get(path, {"filing": raw})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid_choice", "message": NOT_AN_ID, "field": "filing"}
    ]


@pytest.mark.parametrize(
    ("path", "param"),
    [*CHOICE_PARAMS, (SCHEMES, "region"), (CLAIMS, "filing"), (CLAIMS, "audit_flagged")],
)
def test_an_empty_value_filters_nothing(finance_officer: User, path: str, param: str) -> None:
    assert client_for(finance_officer).get(path, {param: ""}).status_code == 200


def test_schemes_filter_by_kind_and_by_region_code(
    operator: User, schemes: dict[str, Scheme]
) -> None:
    elsewhere = factories.SchemeFactory(region_id="141023", kind=SchemeKind.FAMILY_FEE)
    client = client_for(operator)
    family = _ids(client.get(SCHEMES, {"kind": "family_fee"}))
    assert sorted(family) == sorted([schemes[SchemeKind.FAMILY_FEE].pk, elsewhere.pk])
    assert _ids(client.get(SCHEMES, {"region": "141023"})) == [elsewhere.pk]
    # The region code is text: surrounding blanks are trimmed, an unknown code keeps nothing.
    assert _ids(client.get(SCHEMES, {"region": " 141023 "})) == [elsewhere.pk]
    assert _ids(client.get(SCHEMES, {"region": "nope"})) == []
    assert _ids(client.get(SCHEMES, {"region": "1410"})) == []
    both = client.get(SCHEMES, {"region": "371103", "kind": "startup"})
    assert _ids(both) == [schemes[SchemeKind.STARTUP].pk]


def test_a_nul_byte_in_the_region_code_is_refused_before_any_filter(operator: User) -> None:
    response = client_for(operator).get(SCHEMES + "?region=%00")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_characters"


@pytest.fixture
def claims(
    filing: Filing,
    second_filing: Filing,
    operator: User,
    second_operator: User,
    finance_officer: User,
    schemes: dict[str, Scheme],
) -> dict[str, Claim]:
    draft = draft_family_claim(filing, operator, schemes)
    other_child = family_lines(child_id_number(date(2025, 2, 2), 9))
    submitted = submit_claim(
        draft_family_claim(second_filing, second_operator, schemes, lines=other_child),
        actor=second_operator,
    )
    Claim.objects.filter(pk=submitted.pk).update(audit_flagged=True)
    return {"draft": draft, "submitted": submitted}


def test_claims_filter_by_status_filing_and_kind(
    claims: dict[str, Claim], operator: User, finance_officer: User, second_filing: Filing
) -> None:
    officer = client_for(finance_officer)
    submitted = claims["submitted"].pk
    assert _ids(officer.get(CLAIMS, {"status": "submitted"})) == [submitted]
    assert _ids(officer.get(CLAIMS, {"filing": second_filing.pk})) == [submitted]
    assert _ids(officer.get(QUEUE, {"filing": second_filing.pk})) == [submitted]
    assert _ids(officer.get(QUEUE, {"kind": "startup"})) == []
    own = client_for(operator)
    assert _ids(own.get(CLAIMS, {"status": "draft", "kind": "family_fee"})) == [claims["draft"].pk]
    # Another institution's filing is a real filing: no error, and none of the operator's rows.
    assert _ids(own.get(CLAIMS, {"filing": second_filing.pk})) == []


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("true", True),
        ("True", True),
        ("2", True),
        ("false", False),
        ("False", False),
        ("3", False),
        # Anything else is no filter at all, neither an error nor a guess.
        ("1", None),
        ("0", None),
        ("yes", None),
        ("TRUE", None),
        ("perhaps", None),
    ],
)
def test_audit_flagged_reads_the_values_it_always_read(
    claims: dict[str, Claim], operator: User, second_operator: User, raw: str, kept: bool | None
) -> None:
    # Each operator sees only their own claim: the second operator's is flagged, the first's not.
    flagged = client_for(second_operator).get(CLAIMS, {"audit_flagged": raw})
    plain = client_for(operator).get(CLAIMS, {"audit_flagged": raw})
    assert (_ids(flagged) == [claims["submitted"].pk]) is (kept is not False)
    assert (_ids(plain) == [claims["draft"].pk]) is (kept is not True)


def test_payment_batches_filter_by_status(claims: dict[str, Claim], finance_officer: User) -> None:
    claim = approve_claim(claims["submitted"], actor=finance_officer)
    batch = create_batch([claim.pk], actor=finance_officer)
    client = client_for(finance_officer)
    assert _ids(client.get(BATCHES, {"status": "open"})) == [batch.pk]
    assert _ids(client.get(BATCHES, {"status": "paid"})) == []


def test_every_bad_filter_is_named_in_the_order_the_list_declares_them(
    finance_officer: User,
) -> None:
    response = client_for(finance_officer).get(
        CLAIMS, {"filing": "x", "kind": "y", "status": "z", "audit_flagged": "w"}
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("status", "invalid_choice"),
        ("kind", "invalid_choice"),
        ("filing", "invalid_choice"),
    ]
