"""Registration pages: each renders for its role, forms call the services, jurisdiction 404s."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from registry.models import Registration, RegistrationStatus
from tests import factories
from tests.factories import credit_code, valid_data
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_the_operator_home_with_status_and_next_step(operator: User, institution) -> None:
    factories.RegistrationFactory(institution=institution)
    response = browser(operator).get(reverse("operator-home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "新建登记申请" in body and institution.name in body and "提交申请" in body


def test_it_refuses_operator_pages_to_staff(registrar: User) -> None:
    assert browser(registrar).get(reverse("operator-home")).status_code == 403
    assert browser(registrar).get(reverse("registration-create")).status_code == 403


def test_it_creates_a_draft_from_the_form(operator: User) -> None:
    data = valid_data()
    response = browser(operator).post(reverse("registration-create"), data)
    reg = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registration-detail", args=[reg.pk])
    assert reg.status == RegistrationStatus.DRAFT


def test_it_shows_rule_errors_next_to_the_fields(operator: User) -> None:
    response = browser(operator).post(
        reverse("registration-create"), valid_data(business_scope="咨询", region="371100")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["business_scope"] and form.errors["region"]
    assert not Registration.objects.exists()


def test_it_edits_and_submits_a_draft(operator: User, institution) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    client = browser(operator)
    page = client.get(reverse("registration-edit", args=[reg.pk]))
    assert page.status_code == 200
    data = valid_data(address="新地址8号")
    data.pop("legal_representative_id_number")
    assert client.post(reverse("registration-edit", args=[reg.pk]), data).status_code == 302
    assert client.post(reverse("registration-submit", args=[reg.pk])).status_code == 302
    reg.refresh_from_db()
    assert reg.address == "新地址8号" and reg.status == RegistrationStatus.SUBMITTED
    detail = client.get(reverse("registration-detail", args=[reg.pk])).content.decode()
    assert "办理记录" in detail and "请等待审核结果" in detail
    assert "草稿 → " in detail and "已提交" in detail  # labels, not status codes


def test_it_answers_409_when_submitting_twice(operator: User, institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = browser(operator).post(reverse("registration-submit", args=[reg.pk]))
    assert response.status_code == 409


def test_it_hides_other_operators_registrations(other_operator: User, institution) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    client = browser(other_operator)
    assert client.get(reverse("registration-detail", args=[reg.pk])).status_code == 404
    assert client.get(reverse("registration-edit", args=[reg.pk])).status_code == 404


def test_it_lists_the_registrar_queue_oldest_first(registrar: User, institution) -> None:
    newer = factories.SubmittedRegistrationFactory(institution=institution, name="新申请全日制托育")
    older = factories.SubmittedRegistrationFactory(institution=institution, name="旧申请全日制托育")
    Registration.objects.filter(pk=older.pk).update(
        submitted_at=newer.submitted_at.replace(year=2025)
    )
    response = browser(registrar).get(reverse("registrar-queue"))
    assert response.status_code == 200
    assert [reg.pk for reg, _days in response.context["rows"]] == [older.pk, newer.pk]


def test_it_approves_from_the_registrar_page(registrar: User, institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    client = browser(registrar)
    assert client.get(reverse("registrar-registration", args=[reg.pk])).status_code == 200
    response = client.post(
        reverse("registrar-decide", args=[reg.pk, "approve"]),
        {"approve-credit_code": credit_code(77)},
    )
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.APPROVED
    assert OutboxEvent.objects.filter(aggregate_id=reg.pk).count() == 1


def test_it_shows_a_bad_credit_code_next_to_the_field(registrar: User, institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = browser(registrar).post(
        reverse("registrar-decide", args=[reg.pk, "approve"]),
        {"approve-credit_code": credit_code(78, prefix="52")},
    )
    assert response.status_code == 400
    decision = next(d for d in response.context["decisions"] if d["name"] == "approve")
    assert decision["form"].errors["credit_code"]
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.SUBMITTED


def test_it_returns_with_a_reason(registrar: User, institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = browser(registrar).post(
        reverse("registrar-decide", args=[reg.pk, "return"]), {"return-reason": "地址不详"}
    )
    assert response.status_code == 302
    assert reg.transitions.get().reason == "地址不详"
    operator = reg.institution.memberships.get().user
    page = browser(operator).get(reverse("registration-detail", args=[reg.pk])).content.decode()
    assert "退回理由：" in page and "地址不详" in page and "全日托" in page


def test_it_hides_registrations_of_other_counties_and_authorities(
    other_registrar: User, institution
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    minzheng = factories.UserFactory(
        username="mz_page", role="registrar", region_id="371103", authority="minzheng"
    )
    for user in (other_registrar, minzheng):
        client = browser(user)
        assert client.get(reverse("registrar-registration", args=[reg.pk])).status_code == 404
        response = client.post(
            reverse("registrar-decide", args=[reg.pk, "reject"]), {"reject-reason": "x"}
        )
        assert response.status_code == 404


def test_it_lets_the_owner_add_a_colleague(operator: User, outsider: User, institution) -> None:
    client = browser(operator)
    url = reverse("institution-members", args=[institution.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"username": "outsider"}).status_code == 302
    assert institution.memberships.filter(user=outsider, is_owner=False).exists()
    # The colleague sees the institution but may not add others.
    assert browser(outsider).post(url, {"username": "operator_a"}).status_code == 403
