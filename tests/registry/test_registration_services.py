"""Registration services: rules, routing, transitions, history, outbox."""

from __future__ import annotations

import pytest

from registry.models import Membership, Registration, RegistrationStatus
from registry.services import registrations as svc
from tests import factories
from tests.registry.reg_factories import make_uscc, registration_data
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, InvalidTransition, NotPermitted
from tuoyu_portal.exchange.models import OutboxEvent
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db

S = RegistrationStatus


def codes(exc: pytest.ExceptionInfo[DomainError]) -> set[str]:
    return {v.code for v in exc.value.violations}


# --- rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": "岚山区小海豚全日制早教有限公司"}, "name_missing_tuoyu"),
        ({"name": "岚山区小海豚托育有限公司"}, "name_missing_care_mode"),
        ({"business_scope": "早期教育咨询"}, "scope_missing_tuoyu"),
        ({"credit_code": "91110000600037341X"}, "credit_code_invalid"),
        ({"legal_representative_id_number": "110105194912310021"}, "id_number_invalid"),
        ({"legal_representative_id_number": "110105209912310028"}, "id_number_invalid"),
        ({"region": "999999"}, "region_unknown"),
        ({"region": "371100"}, "region_not_county"),
    ],
)
def test_it_refuses_each_broken_rule_and_creates_nothing(
    operator: User, overrides: dict, code: str
) -> None:
    with pytest.raises(DomainError) as exc:
        svc.create_registration(actor=operator, data=registration_data(**overrides))
    assert code in codes(exc)
    assert not Registration.objects.exists()
    assert not Membership.objects.filter(user=operator).exists()


def test_it_lists_every_broken_rule_at_once(operator: User) -> None:
    data = registration_data(
        name="某某公司", business_scope="咨询", legal_representative_id_number="110105194912310021"
    )
    with pytest.raises(DomainError) as exc:
        svc.create_registration(actor=operator, data=data)
    assert codes(exc) >= {
        "name_missing_tuoyu",
        "name_missing_care_mode",
        "scope_missing_tuoyu",
        "id_number_invalid",
    }


@pytest.mark.parametrize(
    "name", ["岚山区A半日制托育中心", "岚山区A计时托托育中心", "岚山区A临时托托育中心"]
)
def test_it_accepts_each_mode_word(operator: User, name: str) -> None:
    reg = svc.create_registration(actor=operator, data=registration_data(name=name))
    assert reg.status == S.DRAFT


@pytest.mark.parametrize("scope", ["家庭托育服务", "3岁以下婴幼儿照护服务"])
def test_it_accepts_each_scope_wording(operator: User, scope: str) -> None:
    svc.create_registration(actor=operator, data=registration_data(business_scope=scope))


def test_it_applies_name_switches_only_where_the_region_turns_them_on(operator: User) -> None:
    # 441900 (东莞) has no local switch: a plain name passes there.
    reg = svc.create_registration(
        actor=operator, data=registration_data(name="东莞市某某公司", region="441900")
    )
    assert reg.region_id == "441900"


def test_it_keeps_a_credit_code_nature_mismatch_a_warning_before_approval(operator: User) -> None:
    code = make_uscc("52", 1)
    reg = svc.create_registration(actor=operator, data=registration_data(credit_code=code))
    assert [w.code for w in svc.registration_warnings(reg)] == ["credit_code_nature_mismatch"]


def test_it_stores_the_id_number_encrypted_hashed_and_masked(operator: User) -> None:
    reg = svc.create_registration(actor=operator, data=registration_data())
    assert factories.VALID_ID_NUMBER not in reg.legal_representative_id_encrypted
    assert crypto.decrypt(reg.legal_representative_id_encrypted) == factories.VALID_ID_NUMBER
    assert reg.legal_representative_id_hash == crypto.keyed_hash(factories.VALID_ID_NUMBER)
    assert reg.legal_representative_id_masked == "110105********002X"


# --- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nature", "authority"),
    [("public_institution", "bianban"), ("nonprofit", "minzheng"), ("for_profit", "scjg")],
)
def test_it_routes_by_legal_nature(operator: User, nature: str, authority: str) -> None:
    reg = svc.create_registration(actor=operator, data=registration_data(legal_nature=nature))
    assert reg.authority == authority


def test_it_routes_for_profit_to_xzsp_where_the_region_says_so(operator: User) -> None:
    RegionRule.objects.create(
        key="for_profit_authority", region_id="371103", value="xzsp", effective_from="2019-01-01"
    )
    reg = svc.create_registration(actor=operator, data=registration_data())
    assert reg.authority == "xzsp"
    assert svc.route_authority("nonprofit", "371103") == "minzheng"


def test_it_makes_the_operator_owner_of_the_new_institution(operator: User) -> None:
    reg = svc.create_registration(actor=operator, data=registration_data())
    membership = Membership.objects.get(institution=reg.institution)
    assert membership.user == operator and membership.is_owner
    assert reg.transitions.get().to_status == S.DRAFT


def test_it_refuses_creation_by_staff(registrar: User) -> None:
    with pytest.raises(NotPermitted):
        svc.create_registration(actor=registrar, data=registration_data())


# --- transitions ---------------------------------------------------------------------------

# Draft is only ever a starting state, so it is no target.
PAIRS = [(a, b) for a in S.values for b in S.values if b != S.DRAFT]


def _run(reg: Registration, target: str, operator: User, registrar: User) -> Registration:
    if target == S.SUBMITTED:
        return svc.submit_registration(reg, actor=operator)
    if target == S.RETURNED:
        return svc.return_registration(reg, actor=registrar, reason="材料不全")
    if target == S.REJECTED:
        return svc.reject_registration(reg, actor=registrar, reason="不符合条件")
    if target == S.APPROVED:
        return svc.approve_registration(reg, actor=registrar, credit_code=make_uscc("91", 7))
    return svc.cancel_registration(reg, actor=registrar, reason="机构终止")


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_it_allows_exactly_the_transitions_of_the_table(
    operator: User, registrar: User, institution, source: str, target: str
) -> None:
    reg = factories.RegistrationFactory(institution=institution, status=source)
    if source == S.APPROVED:
        reg.credit_code = make_uscc("91", 8)
        reg.save()
    before = reg.transitions.count()
    if target in Registration.TRANSITIONS[source]:
        reg = _run(reg, target, operator, registrar)
        assert reg.status == target
        last = reg.transitions.last()
        assert (last.from_status, last.to_status) == (source, target)
        assert reg.transitions.count() == before + 1
    else:
        with pytest.raises(InvalidTransition):
            _run(reg, target, operator, registrar)
        reg.refresh_from_db()
        assert reg.status == source
        assert reg.transitions.count() == before


def test_it_pushes_approval_with_the_payload_in_the_same_transaction(
    registrar: User, institution
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    code = make_uscc("91", 11)
    svc.approve_registration(reg, actor=registrar, credit_code=code)
    event = OutboxEvent.objects.get(aggregate_id=reg.pk)
    assert event.event_type == "registration.approved"
    assert event.region_id == "371103"
    payload = event.payload
    assert payload["credit_code"] == code and payload["event"] == "approved"
    assert payload["legal_representative"]["id_masked"] == "110105********002X"
    assert factories.VALID_ID_NUMBER not in str(payload)
    institution.refresh_from_db()
    assert institution.credit_code == code


def test_it_pushes_cancellation(registrar: User, institution) -> None:
    reg = factories.ApprovedRegistrationFactory(institution=institution)
    svc.cancel_registration(reg, actor=registrar, reason="机构终止")
    event = OutboxEvent.objects.get(aggregate_id=reg.pk)
    assert event.event_type == "registration.cancelled"
    assert event.payload["status"] == "cancelled"


@pytest.mark.parametrize(
    ("credit_code", "code"),
    [
        ("", "credit_code_required"),
        ("91110000600037341X", "credit_code_invalid"),
        ("12100000400000624D", "credit_code_nature_mismatch"),
    ],
)
def test_it_checks_the_credit_code_at_approval(
    registrar: User, institution, credit_code: str, code: str
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as exc:
        svc.approve_registration(reg, actor=registrar, credit_code=credit_code)
    assert codes(exc) == {code}
    reg.refresh_from_db()
    assert reg.status == S.SUBMITTED and not OutboxEvent.objects.exists()


def test_it_refuses_a_credit_code_already_registered_cleanly(
    registrar: User, institution, other_institution
) -> None:
    code = make_uscc("91", 21)
    factories.ApprovedRegistrationFactory(
        institution=other_institution, region_id="371103", credit_code=code
    )
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as exc:
        svc.approve_registration(reg, actor=registrar, credit_code=code)
    assert codes(exc) == {"credit_code_taken"}


def test_it_uses_the_credit_code_already_on_the_application(registrar: User, institution) -> None:
    code = make_uscc("91", 31)
    reg = factories.SubmittedRegistrationFactory(institution=institution, credit_code=code)
    assert svc.approve_registration(reg, actor=registrar).credit_code == code


def test_it_refuses_decisions_by_other_authorities_and_counties(
    other_registrar: User, institution
) -> None:
    minzheng = factories.UserFactory(
        username="mz_a", role=Role.REGISTRAR, region_id="371103", authority="minzheng"
    )
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    for actor in (minzheng, other_registrar):
        with pytest.raises(NotPermitted):
            svc.approve_registration(reg, actor=actor, credit_code=make_uscc("91", 41))
        with pytest.raises(NotPermitted):
            svc.return_registration(reg, actor=actor, reason="x")


def test_it_requires_a_reason_to_return(registrar: User, institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(DomainError) as exc:
        svc.return_registration(reg, actor=registrar, reason="  ")
    assert codes(exc) == {"reason_required"}


def test_it_lets_only_members_submit(outsider: User, institution) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    with pytest.raises(NotPermitted):
        svc.submit_registration(reg, actor=outsider)


def test_it_rechecks_every_rule_at_submission(operator: User, institution) -> None:
    reg = factories.RegistrationFactory(institution=institution, business_scope="咨询服务")
    with pytest.raises(DomainError) as exc:
        svc.submit_registration(reg, actor=operator)
    assert "scope_missing_tuoyu" in codes(exc)
    reg.refresh_from_db()
    assert reg.status == S.DRAFT


def test_it_updates_drafts_only_and_refused_updates_change_nothing(
    operator: User, institution
) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    svc.update_registration(reg, actor=operator, data={"address": "新地址1号"})
    reg.refresh_from_db()
    assert reg.address == "新地址1号"
    with pytest.raises(DomainError):
        svc.update_registration(reg, actor=operator, data={"address": "x", "business_scope": "无"})
    reg.refresh_from_db()
    assert reg.address == "新地址1号"
    submitted = factories.SubmittedRegistrationFactory(institution=institution)
    with pytest.raises(InvalidTransition):
        svc.update_registration(submitted, actor=operator, data={"address": "y"})


def test_it_lets_the_owner_add_a_colleague_and_nobody_else(
    operator: User, outsider: User, institution
) -> None:
    membership = svc.add_colleague(institution, actor=operator, username="outsider")
    assert membership.user == outsider and not membership.is_owner
    with pytest.raises(NotPermitted):
        svc.add_colleague(institution, actor=outsider, username="operator_a")
    with pytest.raises(DomainError) as exc:
        svc.add_colleague(institution, actor=operator, username="nobody")
    assert codes(exc) == {"user_not_found"}
