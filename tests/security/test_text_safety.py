"""Names and addresses refuse control and bidi characters; exports never carry a formula
."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from registry.services.bulk_import import RowOutcome, error_report_csv
from tests import factories
from tests.conftest import client_for
from tests.factories import valid_data
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.dashboard import exports
from tuoyu_portal.exceptions import RuleViolation
from tuoyu_portal.text import spreadsheet_cell

pytestmark = pytest.mark.django_db

NAME = "岚山区阳光全日制托育有限公司"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_leading_formula_character_is_neutralised(value: str) -> None:
    assert spreadsheet_cell(value) == "'" + value
    assert spreadsheet_cell("托育") == "托育" and spreadsheet_cell(-1) == -1


def test_the_dashboard_exports_write_values_not_formulas() -> None:
    table = [["371103", '=HYPERLINK("http://x")', 2026, "places", "托位", "", 12]]
    rows = list(csv.reader(io.StringIO(exports.to_csv(table).decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and rows[1][6] == "12"
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(table))).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert sheet.cell(row=2, column=7).value == 12


def test_the_import_error_report_writes_values_not_formulas() -> None:
    outcome = RowOutcome(
        number=2,
        outcome="error",
        name="=cmd|' /C calc'!A0",
        credit_code="@x",
        violations=[RuleViolation("required", "必填", "name")],
    )
    rows = list(csv.reader(io.StringIO(error_report_csv([outcome]))))
    assert rows[1][2] == "'=cmd|' /C calc'!A0" and rows[1][3] == "'@x"


HOSTILE_TEXT = {
    "bidi override": "\u202e司公限有",
    "bidi isolate": "托育\u2066x\u2069",
    "escape": "托育\x1b[31m",
    "newline": "托育\n第二行",
    "zero width": "托\u200b育",
}


@pytest.mark.parametrize("label", list(HOSTILE_TEXT))
@pytest.mark.parametrize("field", ["name", "address", "legal_representative_name"])
def test_registration_text_refuses_control_characters(
    operator: User, field: str, label: str
) -> None:
    value = HOSTILE_TEXT[label]
    if field == "name":
        value = NAME + value
    response = client_for(operator).post(
        "/api/v1/registrations/", valid_data(**{field: value}), format="json"
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {"code": "invalid_characters", "field": field} in [
        {"code": e["code"], "field": e["field"]} for e in errors
    ]
    assert not response.json()["errors"][0]["message"].isascii()
    assert client_for(operator).get("/api/v1/registrations/").json()["results"] == []


def test_the_registration_form_refuses_control_characters(operator: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(operator)
    data: dict[str, Any] = valid_data(address="日照市\u202e1号")
    response = client.post("/registrations/new/", data)
    assert response.status_code == 400  # the form again, with the message
    assert "不可见的格式字符" in response.content.decode()


def test_an_import_row_with_control_characters_is_an_error_row() -> None:
    from registry.bulk_import import COLUMNS, template_csv
    from registry.services.bulk_import import import_registrations

    registrar = factories.UserFactory(role=Role.REGISTRAR, region_id="371103", authority="scjg")
    header, example = list(csv.reader(io.StringIO(template_csv())))
    values = dict(zip(COLUMNS, example, strict=True))
    values["地址"] = "日照市岚山区\u200b1号"
    values["所在县区代码"] = "371103"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow(list(values.values()))
    batch = import_registrations(
        actor=registrar, file_name="rows.csv", content=out.getvalue().encode("utf-8")
    )
    assert batch.error_count == 1 and batch.approved_count == 0
    assert "invalid_characters" in batch.error_report
