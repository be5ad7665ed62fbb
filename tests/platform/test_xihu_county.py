"""杭州市西湖区 (330106), a county the portal has never seen, set up from fixture files alone.

The file (tests/fixtures/rules/330106.yaml) routes for-profit registration to 行政审批, names the
health bureau, allows infants under 6 months, shortens the receipt clock to 3 working days and the
major-finding deadline to 10 days, caps the 普惠 fee at 2 000 元, adds a filing material, a
condition of the 基本条件告知书 and a checklist item, and declares a family-fee scheme; its city's
file (330100.yaml) declares a city-wide startup scheme of which the city pays 60%.
The whole flow runs there: registration → push → filing → inspection → claim → payment.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections.models import ChecklistTemplate
from inspections.services.findings import record_finding
from inspections.services.visits import record_inspection
from registry.materials import required_kinds
from registry.models import HealthInboxEntry
from registry.receipts import render_conditions_notice, render_receipt
from registry.services import filing_documents, registrations
from registry.services import filings as filing_services
from subsidies.exports import batch_workbook
from subsidies.models import Scheme, SchemeKind
from subsidies.services.batches import create_batch, mark_batch_paid
from subsidies.services.claims import LineInput, approve_claim, create_claim, submit_claim
from tests import factories
from tests.factories import child_id_number, credit_code, good_data, pdf
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.exchange.models import OutboxEvent
from tuoyu_portal.exchange.services import deliver_event
from tuoyu_portal.regions import rules
from tuoyu_portal.regions.calendar import add_working_days
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db

XIHU = "330106"
FILES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


def _user(username: str, role: str, **extra: str) -> User:
    return factories.UserFactory(username=username, role=role, region_id=XIHU, **extra)


def test_a_county_set_up_from_a_fixture_file_alone_runs_the_whole_flow() -> None:
    # Nothing of 西湖区 is known before the file is loaded.
    assert rules.authority_for("for_profit", XIHU) == "scjg"
    assert not Scheme.objects.filter(region_id=XIHU).exists()
    out = StringIO()
    call_command("load_rules", "--dir", str(FILES), stdout=out)
    assert "+ 330106 for_profit_authority" in out.getvalue()
    assert "+ 330106 scheme family_fee" in out.getvalue()
    assert "+ 330106 materials_extra" in out.getvalue()
    assert "+ 330100 scheme startup" in out.getvalue()

    operator = _user("xihu_operator", Role.OPERATOR)
    registrar = _user("xihu_xzsp", Role.REGISTRAR, authority="xzsp")
    reviewer = _user("xihu_health", Role.HEALTH_REVIEWER)
    inspector = _user("xihu_inspector", Role.INSPECTOR, department="health")
    officer = _user("xihu_subsidy", Role.SUBSIDY_OFFICER)

    # Registration: the name rule and the routing come from the file.
    data = {
        "name": "西湖区小星星有限公司",
        "legal_nature": "for_profit",
        "care_modes": ["full_day"],
        "business_scope": "托育服务",
        "region": XIHU,
        "address": "杭州市西湖区文三路1号",
        "legal_representative_name": "陈明",
        "legal_representative_id_number": factories.VALID_ID_NUMBER,
        "contact_phone": "13800000001",
    }
    with pytest.raises(Exception) as refused:
        registrations.create_registration(actor=operator, data=data)
    assert "name_missing_tuoyu" in str(refused.value)
    reg = registrations.create_registration(
        actor=operator, data={**data, "name": "西湖区小星星托育有限公司"}
    )
    assert reg.authority == "xzsp"
    reg = registrations.submit_registration(reg, actor=operator)
    reg = registrations.approve_registration(
        reg, actor=registrar, credit_code=credit_code(prefix="91", region="330106")
    )

    # Push: the approval reaches 西湖区's health inbox.
    event = OutboxEvent.objects.get(aggregate_id=reg.pk, event_type="registration.approved")
    assert deliver_event(event.pk, backend="local") == "sent"
    entry = HealthInboxEntry.objects.get(credit_code=reg.credit_code)
    assert entry.region_id == XIHU and entry.authority == "xzsp"

    # Filing: an infant class from 4 months (allowed here only), the 3-working-day clock.
    facts = good_data(
        places=30,
        classes=[
            {"class_type": "infant", "children": 5, "carers": 2, "min_age_months": 4},
            {"class_type": "young_toddler", "children": 10, "carers": 2},
            {"class_type": "older_toddler", "children": 15, "carers": 3},
        ],
        indoor_area_m2="150",
        outdoor_area_m2="90",
    )
    filing = filing_services.create_filing(actor=operator, registration=reg, data=facts)
    # The county's own material (uploaded as 其他材料) is required on top of the national list.
    kinds = required_kinds(filing.meals, XIHU)
    assert kinds == [*required_kinds(filing.meals), "other"]
    for kind in kinds[:-1]:
        filing_documents.add_document(filing, actor=operator, kind=kind, upload=pdf(f"{kind}.pdf"))
    with pytest.raises(DomainError) as missing:
        filing_services.submit_filing(filing, actor=operator)
    assert "documents_missing" in str(missing.value.violations[0].code)
    assert "安全管理责任承诺书" in str(missing.value.violations[0].message)
    filing_documents.add_document(filing, actor=operator, kind="other", upload=pdf("pledge.pdf"))
    filing = filing_services.submit_filing(filing, actor=operator)
    received = timezone.localtime(filing.received_at).date()
    assert filing.receipt_due == add_working_days(received, 3, XIHU)
    assert filing.receipt_due < add_working_days(received, 5, XIHU)
    filing = filing_services.accept_filing(filing, actor=reviewer)
    assert filing.filing_number
    receipt = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_receipt(filing))).pages)
    assert "西湖区卫生健康局" in receipt

    # The 告知书 carries the county's condition and material as issued: a later change of the
    # rule does not rewrite it.
    def notice_text() -> str:
        pages = PdfReader(io.BytesIO(render_conditions_notice(filing))).pages
        return "".join(p.extract_text() for p in pages).replace("\n", "")

    assert "每班配备一名持证保健人员" in notice_text()
    assert "安全管理责任承诺书" in notice_text()
    RegionRule.objects.filter(region_id=XIHU, key="notice_items").update(value=["另一条"])
    filing.refresh_from_db()
    assert "每班配备一名持证保健人员" in notice_text() and "另一条" not in notice_text()

    # Inspection: the routine checklist carries the county's item over the national ones; a
    # major finding gets the county's 10-day deadline.
    template = ChecklistTemplate.objects.get(code="routine", version=1)
    with pytest.raises(DomainError) as unknown:
        record_inspection(
            filing,
            actor=inspector,
            kind="routine",
            visited_on=date.today(),
            checklist_template=template,
            checklist_answers={"local_nowhere": {"ok": True}},
        )
    assert unknown.value.violations[0].code == "unknown_checklist_item"
    visit = record_inspection(
        filing,
        actor=inspector,
        kind="routine",
        visited_on=date.today(),
        notes="日常巡查",
        checklist_template=template,
        checklist_answers={"cctv_24h": {"ok": True}, "local_sunshade": {"ok": False}},
    )
    assert visit.checklist_answers["local_sunshade"] == {"ok": False}
    finding = record_finding(
        visit,
        actor=inspector,
        rule="cctv_coverage",
        severity="major",
        description="监控未覆盖午睡室",
    )
    assert finding.deadline == date.today() + timedelta(days=10)

    # Claim: the family-fee scheme from the file; the fee (1 800) is under the county's cap.
    scheme = Scheme.objects.get(region_id=XIHU, kind=SchemeKind.FAMILY_FEE)
    month = date.today().replace(day=1)
    claim = create_claim(
        filing,
        actor=operator,
        scheme=scheme,
        period_start=month,
        period_end=month,
        lines=[
            LineInput(
                child_name="小雨",
                child_id_number=child_id_number(date(2025, 3, 1), 3),
                birth_order=2,
                months=(month,),
            )
        ],
    )
    claim = submit_claim(claim, actor=operator)
    claim = approve_claim(claim, actor=officer)
    assert claim.status == "approved"
    assert claim.amount == 400

    # The city-wide startup scheme of 杭州市 applies to 西湖区; the city pays 60% of it.
    city_scheme = Scheme.objects.get(region_id="330100", kind=SchemeKind.STARTUP)
    startup = create_claim(
        filing,
        actor=operator,
        scheme=city_scheme,
        period_start=month,
        period_end=month,
        lines=[LineInput(classes=2)],
    )
    assert startup.amount == 20000
    startup = approve_claim(submit_claim(startup, actor=operator), actor=officer)
    batch = create_batch([claim.pk, startup.pk], actor=officer)
    mark_batch_paid(batch, actor=officer, payment_ref="西财拨〔2026〕1号")
    startup.refresh_from_db()
    claim.refresh_from_db()
    assert (startup.city_amount, startup.county_amount) == (12000, 8000)
    assert (claim.city_amount, claim.county_amount) == (0, 400)
    sheet = load_workbook(io.BytesIO(batch_workbook(batch)))["机构汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][5:7] == ("市级承担（元）", "县级承担（元）")
    assert rows[-1][4:7] == (20400, 12000, 8400)
