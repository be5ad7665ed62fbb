"""Dashboard pages, exports and the public statistics page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.dashboard.factories import LANSHAN
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def _norm(cell: Any) -> Any:
    """CSV holds text, XLSX holds numbers (3.0 reads back as 3): compare numbers as numbers."""
    text = "" if cell is None else str(cell)
    try:
        return float(text)
    except ValueError:
        return text


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_it_renders_the_dashboard_for_a_county_reviewer(
    stats: dict[str, Any], county_reviewer: User
) -> None:
    response = _client(county_reviewer).get("/dashboard/?year=2026")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<title" in html and "<script" not in html
    assert '<table class="data">' in html
    # The region picker offers only the reviewer's own county.
    assert 'value="371103"' in html and 'value="371102"' not in html


def test_it_renders_the_dashboard_with_the_child_table_for_a_supervisor(
    stats: dict[str, Any], supervisor: User
) -> None:
    response = _client(supervisor).get("/dashboard/?region=371100&year=2026")

    assert response.status_code == 200
    html = response.content.decode()
    assert "岚山区" in html and "东港区" in html
    assert "下级区划每千人口托位数" in html


def test_it_hides_other_regions_and_refuses_other_roles(
    stats: dict[str, Any], county_reviewer: User, operator: User
) -> None:
    assert _client(county_reviewer).get("/dashboard/?region=141023").status_code == 404
    assert _client(operator).get("/dashboard/").status_code == 403
    assert _client(None).get("/dashboard/").status_code == 302


def test_it_exports_csv_with_a_bom_matching_the_figures(
    stats: dict[str, Any], county_reviewer: User
) -> None:
    response = _client(county_reviewer).get("/dashboard/export/?format=csv&year=2026")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["region", "region_name", "year", "figure", "figure_label", "item", "value"]
    values = {(r[0], r[3], r[5]): r[6] for r in rows[1:]}
    assert values[(LANSHAN, "places", "")] == "50"
    assert values[(LANSHAN, "places_per_1000", "")] == "5.0"
    assert values[(LANSHAN, "filings_by_status", "submitted")] == "1"
    assert values[(LANSHAN, "subsidy_paid_by_scheme", "startup")] == "40000.00"


def test_it_exports_xlsx_with_the_same_rows_as_csv(stats: dict[str, Any], supervisor: User) -> None:
    client = _client(supervisor)
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get("/dashboard/export/?format=csv&region=371100&year=2026").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    response = client.get("/dashboard/export/?format=xlsx&region=371100&year=2026")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    xlsx_rows = [[_norm(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows == [[_norm(v) for v in row] for row in csv_rows]
    # The city row and its counties are both exported.
    assert {r[0] for r in csv_rows[1:]} >= {"371100", LANSHAN, "371102"}


def test_it_exports_a_single_figure(stats: dict[str, Any], county_reviewer: User) -> None:
    response = _client(county_reviewer).get("/dashboard/export/?format=csv&figure=places")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[3] for r in rows[1:]} == {"places"}


def test_it_refuses_exports_outside_the_jurisdiction(
    stats: dict[str, Any], other_county_reviewer: User
) -> None:
    response = _client(other_county_reviewer).get(f"/dashboard/export/?region={LANSHAN}")

    assert response.status_code == 404


def test_it_renders_the_public_page_without_names(stats: dict[str, Any]) -> None:
    response = _client(None).get("/public/stats/?region=371100&year=2026")

    assert response.status_code == 200
    html = response.content.decode()
    assert "岚山区" in html and "<svg" in html
    assert "托育有限公司" not in html and "王明" not in html


def test_it_answers_404_on_the_public_page_for_an_unknown_region() -> None:
    assert _client(None).get("/public/stats/?region=999999").status_code == 404
