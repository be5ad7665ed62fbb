"""/api/v1/registrations/ and /api/v1/institutions/ as api.md describes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from registry.models import Institution, Registration
from tests import factories
from tests.conftest import client_for
from tests.factories import VALID_ID_NUMBER, credit_code, valid_data
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/registrations/"


def error_codes(response: object) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]  # type: ignore[attr-defined]


# --- create and read ---------------------------------------------------------------------------


def test_it_creates_a_draft_with_the_contract_fields(operator: User) -> None:
    response = client_for(operator).post(URL, valid_data(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["authority"] == "xzsp"
    assert body["legal_representative_id_masked"] == "110105********002X"
    assert "legal_representative_id_number" not in body
    assert VALID_ID_NUMBER not in response.content.decode()
    assert body["history"][0]["to_status"] == "draft"
    assert body["status_display"] and body["next_step"]
    assert body["submitted_at"] is None and body["decided_at"] is None
    for name in (
        "id",
        "name",
        "legal_nature",
        "care_modes",
        "business_scope",
        "region",
        "address",
        "legal_representative_name",
        "contact_phone",
        "credit_code",
    ):
        assert name in body


def test_it_answers_400_with_every_broken_rule(operator: User) -> None:
    response = client_for(operator).post(
        URL,
        valid_data(name="某公司", business_scope="咨询", credit_code="123"),
        format="json",
    )
    assert response.status_code == 400
    assert set(error_codes(response)) == {
        "name_missing_tuoyu",
        "name_missing_care_mode",
        "scope_missing_tuoyu",
        "credit_code_invalid",
    }
    assert all(e["message"] for e in response.json()["errors"])
    assert not Registration.objects.exists()


def test_it_answers_400_for_missing_fields(operator: User) -> None:
    response = client_for(operator).post(URL, {"name": "x"}, format="json")
    assert response.status_code == 400
    assert "required" in error_codes(response)


def test_staff_may_not_create(registrar: User) -> None:
    assert client_for(registrar).post(URL, valid_data(), format="json").status_code == 403


def test_anonymous_callers_are_refused() -> None:
    assert client_for(None).get(URL).status_code in (401, 403)


def test_the_operator_lists_only_their_own(operator: User, other_operator: User) -> None:
    mine = factories.RegistrationFactory(institution=factories.InstitutionFactory(owner=operator))
    factories.RegistrationFactory(institution=factories.InstitutionFactory(owner=other_operator))
    ids = [r["id"] for r in client_for(operator).get(URL).json()["results"]]
    assert ids == [mine.pk]


@pytest.mark.parametrize("method", ["get", "patch"])
def test_other_operators_get_404(
    other_operator: User, institution: Institution, method: str
) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    response = getattr(client_for(other_operator), method)(f"{URL}{reg.pk}/", {}, format="json")
    assert response.status_code == 404


# --- PATCH -------------------------------------------------------------------------------------


def test_the_operator_patches_a_draft(operator: User, institution: Institution) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    response = client_for(operator).patch(
        f"{URL}{reg.pk}/",
        {"legal_nature": "public_institution", "status": "approved"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["authority"] == "bianban"
    assert response.json()["status"] == "draft"  # status is never writable


def test_a_refused_patch_changes_nothing(operator: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = client_for(operator).patch(f"{URL}{reg.pk}/", {"address": "新地址"}, format="json")
    assert response.status_code == 409
    assert error_codes(response) == ["invalid_transition"]
    reg.refresh_from_db()
    assert reg.address != "新地址"


def test_a_patch_breaking_a_rule_is_400_and_changes_nothing(
    operator: User, institution: Institution
) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    response = client_for(operator).patch(
        f"{URL}{reg.pk}/",
        {"legal_representative_id_number": "110105194912310021", "address": "新地址"},
        format="json",
    )
    assert response.status_code == 400 and error_codes(response) == ["id_number_invalid"]
    reg.refresh_from_db()
    assert reg.address != "新地址"


# --- actions -----------------------------------------------------------------------------------


def test_the_whole_flow_through_the_api(operator: User, registrar: User) -> None:
    created = client_for(operator).post(URL, valid_data(), format="json").json()
    url = f"{URL}{created['id']}/"
    submitted = client_for(operator).post(f"{url}submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"]
    returned = client_for(registrar).post(f"{url}return/", {"reason": "地址不全"}, format="json")
    assert returned.json()["status"] == "returned"
    assert returned.json()["history"][-1]["reason"] == "地址不全"
    assert client_for(operator).post(f"{url}submit/").status_code == 200
    approved = client_for(registrar).post(
        f"{url}approve/", {"credit_code": credit_code()}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved" and approved.json()["decided_at"]
    assert OutboxEvent.objects.filter(event_type="registration.approved").count() == 1
    cancelled = client_for(registrar).post(f"{url}cancel/", {"reason": "停办"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert OutboxEvent.objects.filter(event_type="registration.cancelled").count() == 1
    history = [(h["from_status"], h["to_status"]) for h in cancelled.json()["history"]]
    assert history == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
        ("approved", "cancelled"),
    ]


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("submit", {}),
        ("return", {"reason": "x"}),
        ("reject", {"reason": "x"}),
        ("approve", {"credit_code": "91110000600037341L"}),
    ],
)
def test_actions_not_allowed_from_approved_are_409(
    operator: User, registrar: User, institution: Institution, action: str, payload: dict
) -> None:
    reg = factories.ApprovedRegistrationFactory(institution=institution)
    actor = operator if action == "submit" else registrar
    response = client_for(actor).post(f"{URL}{reg.pk}/{action}/", payload, format="json")
    assert response.status_code == 409
    assert error_codes(response) == ["invalid_transition"]


def test_approval_without_a_credit_code_is_400(registrar: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = client_for(registrar).post(f"{URL}{reg.pk}/approve/", {}, format="json")
    assert response.status_code == 400 and error_codes(response) == ["credit_code_required"]


def test_approval_with_a_taken_credit_code_is_a_clean_400(
    registrar: User, institution: Institution
) -> None:
    factories.ApprovedRegistrationFactory(credit_code=credit_code(serial=3))
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = client_for(registrar).post(
        f"{URL}{reg.pk}/approve/", {"credit_code": credit_code(serial=3)}, format="json"
    )
    assert response.status_code == 400 and error_codes(response) == ["credit_code_taken"]


@pytest.mark.parametrize("action", ["return", "reject", "cancel"])
def test_a_reason_is_required(registrar: User, institution: Institution, action: str) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = client_for(registrar).post(f"{URL}{reg.pk}/{action}/", {}, format="json")
    assert response.status_code == 400 and error_codes(response) == ["required"]


def test_the_operator_may_not_decide(operator: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = client_for(operator).post(
        f"{URL}{reg.pk}/approve/", {"credit_code": credit_code()}, format="json"
    )
    assert response.status_code == 403


# --- jurisdiction of registrars ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_authority", "other_county"])
def test_registrars_outside_the_routing_get_404(
    institution: Institution, other_registrar: User, who: str
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    user = other_registrar
    if who == "other_authority":
        user = factories.UserFactory(
            username="bianban_a", role=Role.REGISTRAR, region_id="371103", authority="bianban"
        )
    client = client_for(user)
    assert client.get(f"{URL}{reg.pk}/").status_code == 404
    response = client.post(f"{URL}{reg.pk}/approve/", {"credit_code": credit_code()}, format="json")
    assert response.status_code == 404
    assert client.get(URL).json()["results"] == []
    reg.refresh_from_db()
    assert reg.status == "submitted"


def test_the_registrar_queue_is_oldest_first_and_paginated(registrar: User) -> None:
    now = timezone.now()
    regs = [
        factories.SubmittedRegistrationFactory(submitted_at=now - timedelta(days=days))
        for days in (1, 5, 3)
    ]
    factories.RegistrationFactory()  # a draft is not in the queue
    client = client_for(registrar)
    first = client.get(URL, {"status": "submitted", "page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == [regs[1].pk, regs[2].pk]
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [regs[0].pk]
    assert second["next"] is None


def test_the_list_does_not_grow_queries_with_rows(
    registrar: User, django_assert_max_num_queries: object
) -> None:
    for _ in range(5):
        reg = factories.SubmittedRegistrationFactory()
        reg.transitions.create(from_status="draft", to_status="submitted")
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert len(client_for(registrar).get(URL).json()["results"]) == 5


# --- institutions and members ------------------------------------------------------------------


def test_the_operator_sees_their_institutions_with_members(
    operator: User, institution: Institution, other_institution: Institution
) -> None:
    body = client_for(operator).get("/api/v1/institutions/").json()
    assert [i["id"] for i in body["results"]] == [institution.pk]
    assert body["results"][0]["memberships"][0]["username"] == operator.username
    assert body["results"][0]["memberships"][0]["is_owner"] is True


def test_the_owner_adds_a_colleague_by_username(operator: User, institution: Institution) -> None:
    factories.UserFactory(username="colleague", role=Role.OPERATOR)
    response = client_for(operator).post(
        f"/api/v1/institutions/{institution.pk}/members/", {"username": "colleague"}, format="json"
    )
    assert response.status_code == 201 and response.json()["username"] == "colleague"
    assert Membership.objects.filter(institution=institution).count() == 2


def test_a_colleague_may_not_add_members(operator: User, institution: Institution) -> None:
    colleague = factories.UserFactory(username="colleague", role=Role.OPERATOR)
    Membership.objects.create(institution=institution, user=colleague)
    response = client_for(colleague).post(
        f"/api/v1/institutions/{institution.pk}/members/", {"username": "x"}, format="json"
    )
    assert response.status_code == 403


def test_outsiders_get_404_on_institutions(outsider: User, institution: Institution) -> None:
    client = client_for(outsider)
    assert client.get(f"/api/v1/institutions/{institution.pk}/").status_code == 404
    response = client.post(
        f"/api/v1/institutions/{institution.pk}/members/", {"username": "x"}, format="json"
    )
    assert response.status_code == 404


def test_the_schema_documents_the_endpoints(registrar: User) -> None:
    schema = client_for(registrar).get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/registrations/",
        "/api/v1/registrations/{id}/approve/",
        "/api/v1/registrations/{id}/return/",
        "/api/v1/institutions/{id}/members/",
    ):
        assert path in schema["paths"]
