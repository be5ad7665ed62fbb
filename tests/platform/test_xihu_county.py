"""杭州市西湖区 (330106), a county the portal has never seen, set up from one fixture file alone.

The file (tests/fixtures/rules/330106.yaml) routes for-profit registration to 行政审批, names the
health bureau, allows infants under 6 months, shortens the receipt clock to 3 working days and the
major-finding deadline to 10 days, caps the 普惠 fee at 2 000 元 and declares a family-fee scheme.
The whole flow runs there: registration → push → filing → inspection → claim.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from inspections.services.findings import record_finding
from inspections.services.visits import record_inspection
from registry.materials import required_kinds
from registry.models import HealthInboxEntry
from registry.receipts import render_receipt
from registry.services import filing_documents, registrations
from registry.services import filings as filing_services
from subsidies.models import Scheme, SchemeKind
from subsidies.services.claims import LineInput, approve_claim, create_claim, submit_claim
from tests import factories
from tests.factories import child_id_number, credit_code, good_data, pdf
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exchange.models import OutboxEvent
from tuoyu_portal.exchange.services import deliver_event
from tuoyu_portal.regions import rules
from tuoyu_portal.regions.calendar import add_working_days

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
    for kind in required_kinds(filing.meals):
        filing_documents.add_document(filing, actor=operator, kind=kind, upload=pdf(f"{kind}.pdf"))
    filing = filing_services.submit_filing(filing, actor=operator)
    received = timezone.localtime(filing.received_at).date()
    assert filing.receipt_due == add_working_days(received, 3, XIHU)
    assert filing.receipt_due < add_working_days(received, 5, XIHU)
    filing = filing_services.accept_filing(filing, actor=reviewer)
    assert filing.filing_number
    receipt = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_receipt(filing))).pages)
    assert "西湖区卫生健康局" in receipt

    # Inspection: a major finding gets the county's 10-day deadline.
    visit = record_inspection(
        filing, actor=inspector, kind="routine", visited_on=date.today(), notes="日常巡查"
    )
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
