"""Registration pages render for their roles, call the services and show errors by the fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import ImportBatch, Institution, Membership, Registration
from tests import factories
from tests.registry import import_files
from tests.registry.reg_helpers import credit_code, valid_data
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: object) -> dict[str, object]:
    data = valid_data(**overrides)
    return data


# --- operator ----------------------------------------------------------------------------------


def test_the_operator_home_lists_registrations_with_next_step(
    operator: User, institution: Institution
) -> None:
    factories.RegistrationFactory(institution=institution)
    response = login(operator).get(reverse("operator-home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "新建登记申请" in html and institution.name in html
    assert "草稿" in html and "提交申请" in html  # the next-step sentence


@pytest.mark.parametrize(
    "name", ["operator-home", "registration-create", "registrar-queue", "registrar-import"]
)
def test_pages_refuse_other_roles(
    name: str, county_reviewer: User, registrar: User, operator: User
) -> None:
    wrong = operator if name.startswith("registrar") else registrar
    assert login(wrong).get(reverse(name)).status_code == 403
    assert login(county_reviewer).get(reverse(name)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("operator-home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_operator_creates_a_registration(operator: User) -> None:
    client = login(operator)
    assert client.get(reverse("registration-create")).status_code == 200
    response = client.post(reverse("registration-create"), form_data())
    reg = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registration-detail", args=[reg.pk])
    assert reg.authority == "scjg" and reg.status == "draft"


def test_rule_messages_appear_next_to_their_fields(operator: User) -> None:
    response = login(operator).post(
        reverse("registration-create"), form_data(business_scope="咨询", name="阳光公司")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "业务范围须包含" in str(form.errors["business_scope"])
    assert "托育" in str(form.errors["name"])
    assert not Registration.objects.exists()


def test_the_detail_page_shows_history_and_submits(
    operator: User, institution: Institution
) -> None:
    client = login(operator)
    client.post(reverse("registration-create"), form_data())
    reg = Registration.objects.get()
    page = client.get(reverse("registration-detail", args=[reg.pk]))
    assert page.status_code == 200
    assert "办理记录" in page.content.decode() and "110105********002X" in page.content.decode()
    response = client.post(reverse("registration-submit", args=[reg.pk]))
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == "submitted"
    assert (
        "已提交登记机关"
        in client.get(reverse("registration-detail", args=[reg.pk])).content.decode()
    )


def test_the_operator_edits_a_returned_registration(
    operator: User, institution: Institution
) -> None:
    reg = factories.RegistrationFactory(institution=institution, status="returned")
    client = login(operator)
    assert client.get(reverse("registration-edit", args=[reg.pk])).status_code == 200
    data = form_data(address="新地址9号", legal_representative_id_number="")
    response = client.post(reverse("registration-edit", args=[reg.pk]), data)
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.address == "新地址9号" and reg.legal_representative_id_masked


def test_other_operators_get_404_on_pages(other_operator: User, institution: Institution) -> None:
    reg = factories.RegistrationFactory(institution=institution)
    client = login(other_operator)
    for name in ("registration-detail", "registration-edit"):
        assert client.get(reverse(name, args=[reg.pk])).status_code == 404
    assert client.post(reverse("registration-submit", args=[reg.pk])).status_code == 404
    assert client.get(reverse("institution-members", args=[institution.pk])).status_code == 404


def test_the_owner_adds_a_colleague_on_the_members_page(
    operator: User, institution: Institution
) -> None:
    factories.UserFactory(username="colleague", role=Role.OPERATOR)
    client = login(operator)
    assert client.get(reverse("institution-members", args=[institution.pk])).status_code == 200
    response = client.post(
        reverse("institution-members", args=[institution.pk]), {"username": "colleague"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(institution=institution, user__username="colleague").exists()
    missing = client.post(
        reverse("institution-members", args=[institution.pk]), {"username": "nobody"}
    )
    assert "未找到该举办者账号" in str(missing.context["form"].errors["username"])


# --- registrar ---------------------------------------------------------------------------------


def test_the_queue_is_oldest_first_with_days_waiting(registrar: User) -> None:
    now = timezone.now()
    newer = factories.SubmittedRegistrationFactory(name="新近提交全日制托育", submitted_at=now)
    older = factories.SubmittedRegistrationFactory(
        name="早先提交全日制托育", submitted_at=now - timedelta(days=4)
    )
    response = login(registrar).get(reverse("registrar-queue"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["reg"].pk for row in rows] == [older.pk, newer.pk]
    assert rows[0]["days_waiting"] == 4


def test_the_registrar_approves_on_the_page(registrar: User, institution: Institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    client = login(registrar)
    assert client.get(reverse("registrar-detail", args=[reg.pk])).status_code == 200
    response = client.post(
        reverse("registrar-decide", args=[reg.pk, "approve"]), {"credit_code": credit_code()}
    )
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == "approved"
    assert OutboxEvent.objects.filter(event_type="registration.approved").count() == 1


def test_a_refused_approval_shows_the_rule_next_to_the_field(
    registrar: User, institution: Institution
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    response = login(registrar).post(
        reverse("registrar-decide", args=[reg.pk, "approve"]), {"credit_code": credit_code("52")}
    )
    assert response.status_code == 400
    assert "前两位与法人性质不符" in str(response.context["forms"]["approve"].errors["credit_code"])
    reg.refresh_from_db()
    assert reg.status == "submitted"


@pytest.mark.parametrize(("action", "status"), [("return", "returned"), ("reject", "rejected")])
def test_the_registrar_returns_or_rejects_with_a_reason(
    registrar: User, institution: Institution, action: str, status: str
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    client = login(registrar)
    empty = client.post(reverse("registrar-decide", args=[reg.pk, action]), {})
    assert empty.status_code == 400
    response = client.post(
        reverse("registrar-decide", args=[reg.pk, action]), {f"{action}-reason": "材料不全"}
    )
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == status and reg.transitions.get().reason == "材料不全"


def test_the_registrar_cancels_an_approved_registration(
    registrar: User, institution: Institution
) -> None:
    reg = factories.ApprovedRegistrationFactory(institution=institution)
    page = login(registrar).get(reverse("registrar-detail", args=[reg.pk]))
    assert "注销登记" in page.content.decode()
    login(registrar).post(
        reverse("registrar-decide", args=[reg.pk, "cancel"]), {"cancel-reason": "停止办托"}
    )
    reg.refresh_from_db()
    assert reg.status == "cancelled"


def test_registrars_of_another_county_get_404(
    other_registrar: User, institution: Institution
) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    client = login(other_registrar)
    assert client.get(reverse("registrar-detail", args=[reg.pk])).status_code == 404
    response = client.post(
        reverse("registrar-decide", args=[reg.pk, "approve"]), {"credit_code": credit_code()}
    )
    assert response.status_code == 404


def test_the_import_page_imports_and_offers_the_report(
    registrar: User, other_registrar: User
) -> None:
    client = login(registrar)
    page = client.get(reverse("registrar-import"))
    assert page.status_code == 200 and "统一社会信用代码" in page.content.decode()
    template = client.get(reverse("registrar-import-template"))
    assert "机构名称" in template.content.decode("utf-8-sig")
    table, _expected = import_files.rows(10, bad_every=5)
    upload = SimpleUploadedFile("existing.csv", import_files.as_csv(table), "text/csv")
    response = client.post(reverse("registrar-import"), {"file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.approved_count, batch.error_count) == (8, 2)
    assert "existing.csv" in client.get(reverse("registrar-import")).content.decode()
    report = client.get(reverse("registrar-import-report", args=[batch.pk]))
    assert report.status_code == 200
    assert len(report.content.decode("utf-8-sig").strip().splitlines()) == 3
    other = login(other_registrar).get(reverse("registrar-import-report", args=[batch.pk]))
    assert other.status_code == 404


def test_an_unreadable_import_file_is_shown_as_a_field_error(registrar: User) -> None:
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv")
    response = login(registrar).post(reverse("registrar-import"), {"file": upload})
    assert response.status_code == 200
    assert "缺少列" in str(response.context["form"].errors["file"])
