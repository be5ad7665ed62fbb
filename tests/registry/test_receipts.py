"""The 备案回执 and 基本条件告知书 PDFs: parse them and find what they must say."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from registry.models import Filing
from registry.receipts import render_conditions_notice, render_receipt, verify_url
from tests.conftest import client_for
from tests.factories import accepted_filing, draft_filing


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_it_renders_the_receipt_with_number_institution_and_statement(
    operator, institution, county_reviewer
) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    content = render_receipt(filing)
    text = _text(content)
    assert content.startswith(b"%PDF-")
    assert filing.filing_number in text
    assert institution.name in text
    assert filing.registration.credit_code in text
    assert "不是行政许可" in text
    assert verify_url(filing.filing_number) in text


def test_it_serves_the_receipt_only_once_filed(operator, institution, county_reviewer) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    response = client_for(operator).get(f"/api/v1/filings/{filing.pk}/receipt/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert filing.filing_number in _text(response.content)


def test_it_refuses_the_receipt_of_a_draft(operator, institution) -> None:
    filing = draft_filing(operator, institution)
    response = client_for(operator).get(f"/api/v1/filings/{filing.pk}/receipt/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "receipt_not_available"


def test_it_hides_the_receipt_from_another_county(
    operator, institution, county_reviewer, other_county_reviewer
) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    response = client_for(other_county_reviewer).get(f"/api/v1/filings/{filing.pk}/receipt/")
    assert response.status_code == 404


def test_it_renders_the_conditions_notice_from_the_rule_table(operator, institution) -> None:
    filing = draft_filing(operator, institution)
    text = _text(render_conditions_notice(filing))
    assert "基本条件告知书" in text
    assert "乳儿班最大人数" in text
    response = client_for(operator).get(f"/api/v1/filings/{filing.pk}/conditions-notice/")
    assert response.status_code == 200
    assert "托大班最大人数" in _text(response.content)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_it_rasterises_the_receipt(operator, institution, county_reviewer, tmp_path: Path) -> None:
    filing: Filing = accepted_filing(operator, institution, county_reviewer)
    source = tmp_path / "receipt.pdf"
    source.write_bytes(render_receipt(filing))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "page")], check=True
    )
    assert list(tmp_path.glob("page*.png"))
