"""Issued documents keep the rule values in force on the day of issue."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from registry.receipts import render_conditions_notice, render_receipt
from tests.conftest import client_for
from tests.factories import accepted_filing, draft_filing
from tuoyu_portal.regions.models import RegionRule


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_receipt_names_the_county_office_as_the_region_does(
    operator, institution, county_reviewer
) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    text = _text(render_receipt(filing))
    assert "岚山区卫生健康局" in text
    assert "山东省日照市岚山区卫生健康主管部门" not in text


def test_a_later_rule_change_never_rewrites_an_issued_notice_or_receipt(
    operator, institution, county_reviewer
) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    assert filing.issued_rules["bureau"] == "岚山区卫生健康局"
    issued = {row["key"]: row["value"] for row in filing.issued_rules["standards"]}
    assert issued["class_max_infant"] == 10
    # The county changes its rules after the day of issue.
    changed_from = date(2026, 1, 1) if filing.filed_on < date(2026, 1, 1) else filing.filed_on
    for key, value in (("class_max_infant", 8), ("health_office_name", "岚山区卫生健康委员会")):
        RegionRule.objects.create(
            key=key, region_id="371103", value=value, effective_from=changed_from
        )
    RegionRule.objects.create(
        key="min_lease_years", region_id="371103", value=5, effective_from=changed_from
    )
    filing.refresh_from_db()
    notice = _text(render_conditions_notice(filing, on=date(2030, 1, 1)))
    assert "乳儿班最大人数：10" in notice and "乳儿班最大人数：8" not in notice
    assert "租期不少于3年" in notice
    assert "岚山区卫生健康局" in notice and "卫生健康委员会" not in notice
    receipt = _text(render_receipt(filing))
    assert "岚山区卫生健康局" in receipt and "卫生健康委员会" not in receipt
    served = client_for(operator).get(f"/api/v1/filings/{filing.pk}/conditions-notice/")
    assert "乳儿班最大人数：10" in _text(served.content)


def test_a_notice_before_issue_shows_the_rules_in_force_now(operator, institution) -> None:
    filing = draft_filing(operator, institution)
    RegionRule.objects.create(
        key="class_max_infant", region_id="371103", value=8, effective_from=date(2020, 1, 1)
    )
    assert "乳儿班最大人数：8" in _text(render_conditions_notice(filing))
