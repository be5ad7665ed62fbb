"""Registration services: rule codes, routing, transitions, history, outbox and membership."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from registry.models import Institution, Registration, RegistrationStatus, RegistrationTransition
from registry.services import registrations as services
from tests import factories
from tests.factories import (
    COUNTY_WITHOUT_NAME_RULES,
    VALID_ID_NUMBER,
    credit_code,
    id_number,
    valid_data,
)
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.exceptions import DomainError, InvalidTransition, NotPermitted
from tuoyu_portal.exchange.models import OutboxEvent
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db


def codes(exc: DomainError) -> set[str]:
    return {v.code for v in exc.violations}


# --- field rules: each rule code fails and passes -----------------------------------------------

FAILING: list[tuple[str, dict[str, Any]]] = [
    ("name_missing_tuoyu", {"name": "岚山区阳光全日制幼儿照护有限公司"}),
    ("name_missing_care_mode", {"name": "岚山区阳光托育有限公司"}),
    ("scope_missing_tuoyu", {"business_scope": "教育咨询服务"}),
    ("credit_code_invalid", {"credit_code": "91110000600037341X"}),
    ("id_number_invalid", {"legal_representative_id_number": "110105194912310021"}),
    ("id_number_invalid", {"legal_representative_id_number": id_number(born="20991231")}),
    ("region_unknown", {"region": "379999"}),
    ("region_not_county", {"region": "371100"}),
]


@pytest.mark.parametrize(("code", "override"), FAILING)
def test_it_refuses_each_broken_rule_with_its_code(
    operator: User, code: str, override: dict[str, Any]
) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_registration(actor=operator, data=valid_data(**override))
    assert code in codes(caught.value)
    assert not Registration.objects.exists()
    assert not Institution.objects.exists()


PASSING: list[dict[str, Any]] = [
    {"name": "岚山区阳光半日托托育中心"},
    {"name": "岚山区阳光计时制托育中心"},
    {"business_scope": "3岁以下婴幼儿照护服务"},
    {"business_scope": "家庭托育服务"},
    {"credit_code": credit_code(1)},
    {"credit_code": "91110000600037341L"},
    {"legal_representative_id_number": id_number(born="20000229")},
    {"region": "141023", "name": "襄汾县春苗全日制托育中心"},
]


@pytest.mark.parametrize("override", PASSING)
def test_it_accepts_valid_variants(operator: User, override: dict[str, Any]) -> None:
    reg = services.create_registration(actor=operator, data=valid_data(**override))
    assert reg.status == RegistrationStatus.DRAFT


def test_it_lists_every_broken_rule_at_once(operator: User) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_registration(
            actor=operator,
            data=valid_data(
                name="某某公司",
                business_scope="咨询",
                credit_code="123",
                legal_representative_id_number="123",
            ),
        )
    assert codes(caught.value) == {
        "name_missing_tuoyu",
        "name_missing_care_mode",
        "scope_missing_tuoyu",
        "credit_code_invalid",
        "id_number_invalid",
    }


def test_it_applies_name_rules_only_where_the_region_switches_them_on(operator: User) -> None:
    reg = services.create_registration(
        actor=operator, data=valid_data(name="东莞市阳光幼儿园", region=COUNTY_WITHOUT_NAME_RULES)
    )
    assert reg.status == RegistrationStatus.DRAFT


def test_it_only_warns_about_a_nature_mismatch_before_approval(operator: User) -> None:
    reg = services.create_registration(
        actor=operator, data=valid_data(credit_code=credit_code(1, prefix="52"))
    )
    assert [w.code for w in services.registration_warnings(reg)] == ["credit_code_nature_mismatch"]


# --- routing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nature", "authority"),
    [("public_institution", "bianban"), ("nonprofit", "minzheng"), ("for_profit", "scjg")],
)
def test_it_routes_by_legal_nature(operator: User, nature: str, authority: str) -> None:
    data = valid_data(legal_nature=nature, region="141023", name="襄汾县春苗托育中心")
    reg = services.create_registration(actor=operator, data=data)
    assert reg.authority == authority


@pytest.mark.parametrize(
    ("nature", "authority"),
    [("public_institution", "bianban"), ("nonprofit", "xzsp"), ("for_profit", "xzsp")],
)
def test_lanshan_routes_legal_persons_to_xzsp(operator: User, nature: str, authority: str) -> None:
    """岚政办字〔2024〕5号: 行政审批部门按职权负责托育机构法人注册登记 (fixtures/rules/371103.yaml)."""
    reg = services.create_registration(actor=operator, data=valid_data(legal_nature=nature))
    assert reg.authority == authority


def test_it_routes_for_profit_where_the_region_configures_it(operator: User) -> None:
    RegionRule.objects.create(
        key="for_profit_authority", region_id="141023", value="xzsp", effective_from="2026-01-01"
    )
    assert services.route_authority("for_profit", "141023") == "xzsp"
    assert services.route_authority("for_profit", "510411") == "scjg"
    assert services.route_authority("nonprofit", "141023") == "minzheng"


# --- create / update ---------------------------------------------------------------------------


def test_it_creates_institution_owner_membership_and_history(operator: User) -> None:
    reg = services.create_registration(actor=operator, data=valid_data())
    assert Membership.objects.get(institution=reg.institution, user=operator).is_owner
    history = list(reg.transitions.all())
    assert [(h.from_status, h.to_status, h.actor) for h in history] == [("", "draft", operator)]


def test_it_stores_the_id_number_encrypted_hashed_and_masked(operator: User) -> None:
    reg = services.create_registration(actor=operator, data=valid_data())
    assert VALID_ID_NUMBER not in reg.legal_representative_id_encrypted
    assert crypto.decrypt(reg.legal_representative_id_encrypted) == VALID_ID_NUMBER
    assert reg.legal_representative_id_hash == crypto.keyed_hash(VALID_ID_NUMBER)
    assert reg.legal_representative_id_masked == "110105********002X"


def test_it_refuses_registration_by_staff(registrar: User) -> None:
    with pytest.raises(NotPermitted):
        services.create_registration(actor=registrar, data=valid_data())


def test_it_updates_a_draft_and_reroutes(operator: User) -> None:
    reg = services.create_registration(actor=operator, data=valid_data())
    reg = services.update_registration(
        reg, actor=operator, data={"legal_nature": "public_institution"}
    )
    assert reg.authority == "bianban"


def test_a_refused_update_changes_nothing(operator: User) -> None:
    reg = services.create_registration(actor=operator, data=valid_data())
    with pytest.raises(DomainError):
        services.update_registration(reg, actor=operator, data={"name": "无效名称", "address": "X"})
    reg.refresh_from_db()
    assert reg.name == valid_data()["name"] and reg.address == valid_data()["address"]


def test_it_refuses_updates_once_submitted(operator: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(InvalidTransition):
        services.update_registration(reg, actor=operator, data={"address": "新地址"})


def test_it_refuses_updates_by_another_operator(
    other_operator: User, institution: Institution
) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    with pytest.raises(NotPermitted):
        services.update_registration(reg, actor=other_operator, data={"address": "新地址"})


def test_submit_checks_every_rule_again(operator: User, institution: Institution) -> None:
    reg = factories.RegistrationFactory(institution=institution, business_scope="咨询")
    with pytest.raises(DomainError) as caught:
        services.submit_registration(reg, actor=operator)
    assert codes(caught.value) == {"scope_missing_tuoyu"}
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.DRAFT


# --- transitions: every pair over Registration.TRANSITIONS -------------------------------------

STATUSES = list(RegistrationStatus.values)


def _actor_for(target: str, operator: User, registrar: User) -> User:
    return operator if target == RegistrationStatus.SUBMITTED else registrar


SERVICE_FOR: dict[str, Callable[[Registration, User], Registration]] = {
    "submitted": lambda r, u: services.submit_registration(r, actor=u),
    "returned": lambda r, u: services.return_registration(r, actor=u, reason="请补充材料"),
    "rejected": lambda r, u: services.reject_registration(r, actor=u, reason="不符合条件"),
    "approved": lambda r, u: services.approve_registration(r, actor=u, credit_code=credit_code(77)),
    "cancelled": lambda r, u: services.cancel_registration(r, actor=u, reason="机构终止"),
}


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", list(SERVICE_FOR))
def test_it_allows_exactly_the_transitions_in_the_table(
    operator: User, institution: Institution, registrar: User, source: str, target: str
) -> None:
    reg = factories.RegistrationFactory(
        institution=institution,
        status=source,
        credit_code=credit_code(77) if source == "approved" else "",
    )
    actor = _actor_for(target, operator, registrar)
    if target in Registration.TRANSITIONS[source]:
        result = SERVICE_FOR[target](reg, actor)
        assert result.status == target
        last = RegistrationTransition.objects.filter(registration=reg).last()
        assert last is not None
        assert (last.from_status, last.to_status, last.actor) == (source, target, actor)
    else:
        with pytest.raises(InvalidTransition) as caught:
            SERVICE_FOR[target](reg, actor)
        assert caught.value.status_code == 409
        reg.refresh_from_db()
        assert reg.status == source
        assert not RegistrationTransition.objects.filter(registration=reg).exists()


def test_return_requires_a_reason(registrar: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as caught:
        services.return_registration(reg, actor=registrar, reason="  ")
    assert codes(caught.value) == {"reason_required"}


def test_the_history_row_records_the_reason(registrar: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    services.return_registration(reg, actor=registrar, reason="地址不完整")
    assert reg.transitions.get().reason == "地址不完整"


# --- approval ----------------------------------------------------------------------------------


def test_approval_sets_the_credit_code_and_queues_the_push(
    registrar: User, institution: Institution
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    code = credit_code(5)
    reg = services.approve_registration(reg, actor=registrar, credit_code=code)
    institution.refresh_from_db()
    assert institution.credit_code == code
    assert reg.approved_on is not None and reg.decided_by == registrar
    event = OutboxEvent.objects.get()
    assert event.event_type == "registration.approved"
    assert event.region_id == "371103" and event.aggregate_id == reg.pk
    payload = event.payload
    assert payload["credit_code"] == code and payload["event"] == "approved"
    assert payload["status"] == "approved" and payload["authority"] == "xzsp"
    assert payload["legal_representative"]["id_masked"] == "110105********002X"
    assert payload["legal_representative"]["id_type"] == "resident_id"
    assert VALID_ID_NUMBER not in str(payload)


def test_approval_requires_a_credit_code(registrar: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as caught:
        services.approve_registration(reg, actor=registrar)
    assert codes(caught.value) == {"credit_code_required"}
    assert not OutboxEvent.objects.exists()


def test_approval_uses_the_credit_code_already_given(
    registrar: User, institution: Institution
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution, credit_code=credit_code())
    assert services.approve_registration(reg, actor=registrar).status == "approved"


def test_approval_refuses_a_nature_mismatch(registrar: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as caught:
        services.approve_registration(reg, actor=registrar, credit_code=credit_code(1, prefix="52"))
    assert codes(caught.value) == {"credit_code_nature_mismatch"}
    reg.refresh_from_db()
    assert reg.status == "submitted" and reg.credit_code == ""


def test_approval_refuses_an_invalid_credit_code(registrar: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as caught:
        services.approve_registration(reg, actor=registrar, credit_code="91110000600037341X")
    assert codes(caught.value) == {"credit_code_invalid"}


def test_approval_refuses_a_credit_code_already_registered(
    registrar: User, institution: Institution
) -> None:
    code = credit_code(serial=9)
    factories.ApprovedRegistrationFactory(credit_code=code)
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as caught:
        services.approve_registration(reg, actor=registrar, credit_code=code)
    assert codes(caught.value) == {"credit_code_taken"}


def test_only_the_routed_authority_may_decide(institution: Institution) -> None:
    minzheng = factories.UserFactory(
        username="mz", role=Role.REGISTRAR, region_id="371103", authority="minzheng"
    )
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(NotPermitted):
        services.approve_registration(reg, actor=minzheng, credit_code=credit_code())


def test_a_registrar_of_another_county_may_not_decide(
    other_registrar: User, institution: Institution
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(NotPermitted):
        services.reject_registration(reg, actor=other_registrar, reason="x")


def test_cancellation_is_pushed(registrar: User, institution: Institution) -> None:
    reg = factories.ApprovedRegistrationFactory(institution=institution)
    services.cancel_registration(reg, actor=registrar, reason="机构终止")
    event = OutboxEvent.objects.get()
    assert event.event_type == "registration.cancelled"
    assert event.payload["status"] == "cancelled" and event.payload["event"] == "cancelled"


# --- membership --------------------------------------------------------------------------------


def test_the_owner_adds_a_colleague(operator: User, institution: Institution) -> None:
    colleague = factories.UserFactory(username="colleague", role=Role.OPERATOR)
    membership = services.add_colleague(institution, actor=operator, username="colleague")
    assert membership.user == colleague and not membership.is_owner
    assert membership.added_by == operator


def test_a_colleague_may_not_add_colleagues(operator: User, institution: Institution) -> None:
    colleague = factories.UserFactory(username="colleague", role=Role.OPERATOR)
    factories.UserFactory(username="third", role=Role.OPERATOR)
    services.add_colleague(institution, actor=operator, username="colleague")
    with pytest.raises(NotPermitted):
        services.add_colleague(institution, actor=colleague, username="third")


@pytest.mark.parametrize(
    ("username", "code"), [("nobody", "user_not_found"), ("xzsp_a", "user_not_found")]
)
def test_it_refuses_unknown_or_staff_accounts(
    operator: User, institution: Institution, registrar: User, username: str, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        services.add_colleague(institution, actor=operator, username=username)
    assert codes(caught.value) == {code}


def test_it_refuses_adding_a_member_twice(operator: User, institution: Institution) -> None:
    with pytest.raises(DomainError) as caught:
        services.add_colleague(institution, actor=operator, username=operator.username)
    assert codes(caught.value) == {"already_member"}
