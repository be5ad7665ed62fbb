"""Bulk import: 1 000 rows with 50 bad ones, CSV and XLSX, re-import, jurisdiction per row."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from registry.models import ImportBatch, Institution, Registration, RegistrationTransition
from registry.services.bulk_import import import_registrations
from tests import factories
from tests.conftest import client_for
from tests.factories import credit_code
from tests.registry import import_files
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError, NotPermitted
from tuoyu_portal.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def report_lines(batch: ImportBatch) -> list[list[str]]:
    return list(csv.reader(io.StringIO(batch.error_report)))[1:]


def test_it_imports_950_of_1000_rows_and_reports_the_50_bad_ones(registrar: User) -> None:
    table, expected = import_files.rows(1000, bad_every=20)
    content = import_files.as_csv(table)

    batch = import_registrations(actor=registrar, file_name="existing.csv", content=content)

    assert (batch.total_rows, batch.approved_count, batch.error_count, batch.skipped_count) == (
        1000,
        950,
        50,
        0,
    )
    assert Registration.objects.filter(status="approved").count() == 950
    assert OutboxEvent.objects.filter(event_type="registration.approved").count() == 950
    assert RegistrationTransition.objects.filter(to_status="approved").count() == 950
    lines = report_lines(batch)
    assert len(lines) == 50
    assert [line[4] for line in lines] == expected
    assert [int(line[0]) for line in lines] == [20 * k + 1 for k in range(1, 51)]

    again = import_registrations(actor=registrar, file_name="existing.csv", content=content)

    assert (again.approved_count, again.skipped_count, again.error_count) == (0, 950, 50)
    assert Registration.objects.count() == 950
    assert Institution.objects.count() == 950
    assert OutboxEvent.objects.count() == 950
    assert sum(1 for line in report_lines(again) if line[1] == "已存在，跳过") == 950
    assert again.sha256 == batch.sha256


def test_it_imports_xlsx_files_with_numeric_codes_and_real_dates(registrar: User) -> None:
    table, expected = import_files.rows(40, bad_every=10)
    content = import_files.as_xlsx(table)

    batch = import_registrations(actor=registrar, file_name="existing.xlsx", content=content)

    assert (batch.approved_count, batch.error_count) == (36, 4)
    assert [line[4] for line in report_lines(batch)] == expected
    reg = Registration.objects.order_by("id").first()
    assert reg is not None
    assert reg.region_id == "371103" and str(reg.approved_on) == "2024-05-01"
    assert reg.care_modes == ["full_day", "hourly"] and reg.authority == "xzsp"
    assert reg.import_key.endswith(":2")

    again = import_registrations(actor=registrar, file_name="again.xlsx", content=content)
    assert (again.approved_count, again.skipped_count) == (0, 36)
    assert OutboxEvent.objects.count() == 36


def test_the_pushed_payload_never_carries_the_plain_id_number(registrar: User) -> None:
    table, _expected = import_files.rows(1, bad_every=1000)
    import_registrations(actor=registrar, file_name="one.csv", content=import_files.as_csv(table))
    event = OutboxEvent.objects.get()
    assert str(table[0][7]) not in str(event.payload)
    assert event.payload["credit_code"] == table[0][9]


def test_rows_outside_the_registrars_county_or_authority_are_errors(registrar: User) -> None:
    table, _expected = import_files.rows(3, bad_every=1000)
    table[0][4] = "141023"  # another county
    table[1][1] = "事业单位"  # routed to 编办, not this 行政审批 registrar
    table[1][9] = credit_code(1, prefix="12")
    batch = import_registrations(
        actor=registrar, file_name="x.csv", content=import_files.as_csv(table)
    )
    assert batch.approved_count == 1
    assert [line[4] for line in report_lines(batch)] == [
        "region_out_of_jurisdiction",
        "authority_mismatch",
    ]


def test_the_credit_code_is_required_and_must_fit_the_legal_nature(registrar: User) -> None:
    table, _expected = import_files.rows(3, bad_every=1000)
    table[0][9] = ""
    table[1][9] = credit_code(2, prefix="52")
    table[2][2] = "夜托"
    batch = import_registrations(
        actor=registrar, file_name="x.csv", content=import_files.as_csv(table)
    )
    assert [line[4] for line in report_lines(batch)] == [
        "credit_code_required",
        "credit_code_nature_mismatch",
        "care_modes_invalid",
    ]


def test_a_row_lists_every_broken_rule(registrar: User) -> None:
    table, _expected = import_files.rows(1, bad_every=1000)
    table[0][0] = "阳光幼儿园"
    table[0][3] = "咨询"
    batch = import_registrations(
        actor=registrar, file_name="x.csv", content=import_files.as_csv(table)
    )
    assert report_lines(batch)[0][4].split("；") == [
        "name_missing_tuoyu",
        "name_missing_care_mode",
        "scope_missing_tuoyu",
    ]


def test_a_file_without_the_columns_is_refused_whole(registrar: User) -> None:
    with pytest.raises(DomainError) as caught:
        import_registrations(actor=registrar, file_name="x.csv", content=b"a,b\n1,2\n")
    assert caught.value.violations[0].code == "import_file_invalid"
    assert not ImportBatch.objects.exists()


def test_only_registrars_may_import(operator: User) -> None:
    with pytest.raises(NotPermitted):
        import_registrations(actor=operator, file_name="x.csv", content=b"")


# --- the import page ---------------------------------------------------------------------------


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_import_page_imports_and_offers_the_report(
    registrar: User, other_registrar: User
) -> None:
    client = _login(registrar)
    page = client.get(reverse("registrar-import"))
    assert page.status_code == 200 and "统一社会信用代码" in page.content.decode()
    template = client.get(reverse("registrar-import-template"))
    assert template.content.decode("utf-8-sig").startswith("机构名称,法人性质")
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
    other = _login(other_registrar).get(reverse("registrar-import-report", args=[batch.pk]))
    assert other.status_code == 404


def test_an_unreadable_import_file_is_shown_next_to_the_field(registrar: User) -> None:
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv")
    response = _login(registrar).post(reverse("registrar-import"), {"file": upload})
    assert response.status_code == 400
    assert "缺少列" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("name", ["registrar-import", "registrar-import-template"])
def test_the_import_pages_refuse_other_roles(
    name: str, operator: User, county_reviewer: User
) -> None:
    assert _login(operator).get(reverse(name)).status_code == 403
    assert _login(county_reviewer).get(reverse(name)).status_code == 403


def test_a_credit_code_twice_in_one_file_is_imported_once(registrar: User) -> None:
    table, _expected = import_files.rows(2, bad_every=1000)
    table[1][9] = table[0][9]
    batch = import_registrations(
        actor=registrar, file_name="x.csv", content=import_files.as_csv(table)
    )
    assert (batch.approved_count, batch.skipped_count) == (1, 1)
    assert report_lines(batch)[0][1] == "已存在，跳过"
    assert OutboxEvent.objects.count() == 1


def test_individual_businesses_with_prefix_92_are_for_profit(registrar: User) -> None:
    table, _expected = import_files.rows(1, bad_every=1000)
    table[0][1] = "个体工商户"
    table[0][9] = credit_code(4, prefix="92")
    batch = import_registrations(
        actor=registrar, file_name="x.csv", content=import_files.as_csv(table)
    )
    assert batch.approved_count == 1
    assert Registration.objects.get().legal_nature == "for_profit"


def test_an_approved_online_registration_makes_the_import_row_a_skip(
    registrar: User, institution: Institution
) -> None:
    table, _expected = import_files.rows(1, bad_every=1000)
    factories.ApprovedRegistrationFactory(institution=institution, credit_code=table[0][9])
    batch = import_registrations(
        actor=registrar, file_name="x.csv", content=import_files.as_csv(table)
    )
    assert (batch.approved_count, batch.skipped_count) == (0, 1)
    assert not OutboxEvent.objects.exists()


# --- the import API ----------------------------------------------------------------------------

IMPORTS_URL = "/api/v1/registration-imports/"


def test_the_api_imports_a_file_and_serves_the_report(
    registrar: User, other_registrar: User
) -> None:
    table, expected = import_files.rows(20, bad_every=10)
    upload = SimpleUploadedFile("api.xlsx", import_files.as_xlsx(table))
    client = client_for(registrar)
    response = client.post(IMPORTS_URL, {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total_rows"], body["approved_count"], body["error_count"]) == (20, 18, 2)
    assert [b["id"] for b in client.get(IMPORTS_URL).json()["results"]] == [body["id"]]
    report = client.get(f"{IMPORTS_URL}{body['id']}/report/")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))[1:]
    assert [line[4] for line in lines] == expected
    other = client_for(other_registrar)
    assert other.get(f"{IMPORTS_URL}{body['id']}/").status_code == 404
    assert other.get(f"{IMPORTS_URL}{body['id']}/report/").status_code == 404


def test_the_api_refuses_imports_by_operators(operator: User) -> None:
    upload = SimpleUploadedFile("x.csv", b"a,b\n")
    response = client_for(operator).post(IMPORTS_URL, {"file": upload}, format="multipart")
    assert response.status_code == 403
    assert client_for(operator).get(IMPORTS_URL).json()["results"] == []


def test_the_api_answers_400_for_an_unreadable_file(registrar: User) -> None:
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    response = client_for(registrar).post(IMPORTS_URL, {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "import_file_invalid"
    missing = client_for(registrar).post(IMPORTS_URL, {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
