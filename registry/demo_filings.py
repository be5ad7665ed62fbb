"""Demo filings (called by `manage.py seed_demo`). Idempotent.

For the demo `operator`: one filed filing (with a receipt) and one submitted filing waiting in
the 371103 reviewer queue. Everything goes through the services; documents are small generated
PDFs. If registry.demo (another feature) has not created approved registrations for the demo
operator, two are created here, keyed on their credit codes, so this demo works on its own.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import IO, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from stdnum.cn import uscc

from registry import receipts  # noqa: F401  (registers the CJK font used below)
from registry.materials import MATERIALS_BY_KIND, required_kinds
from registry.models import (
    Filing,
    FilingStatus,
    Institution,
    LegalNature,
    Membership,
    Registration,
    RegistrationStatus,
)
from registry.services import filings as svc
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User

COUNTY = "371103"
DEMO_ID_NUMBER = "11010519491231002X"
DEMO_INSTITUTIONS = (
    ("岚山区小星星全日制托育有限公司", "91371103000000101"),
    ("岚山区向日葵半日制托育有限公司", "91371103000000102"),
)


def _credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body + "0")


def demo_pdf(title: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont(receipts.FONT, 16)
    canvas.drawString(72, 760, f"演示材料：{title}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _approved_registrations(operator: User) -> list[Registration]:
    found = list(
        Registration.objects.visible_to(operator)
        .filter(status=RegistrationStatus.APPROVED, region_id=COUNTY)
        .select_related("institution")
        .order_by("id")
    )
    if len(found) >= 2:
        return found[:2]
    now = timezone.now()
    for name, body in DEMO_INSTITUTIONS:
        code = _credit_code(body)
        institution, _created = Institution.objects.get_or_create(
            credit_code=code,
            defaults={"name": name, "region_id": COUNTY, "address": "日照市岚山区安东卫街道"},
        )
        Membership.objects.get_or_create(
            institution=institution, user=operator, defaults={"is_owner": True}
        )
        registration, _created = Registration.objects.get_or_create(
            credit_code=code,
            status=RegistrationStatus.APPROVED,
            defaults={
                "institution": institution,
                "name": name,
                "legal_nature": LegalNature.FOR_PROFIT,
                "care_modes": ["full_day"],
                "business_scope": "托育服务",
                "region_id": COUNTY,
                "address": institution.address,
                "legal_representative_name": "王举办",
                "legal_representative_id_encrypted": crypto.encrypt(DEMO_ID_NUMBER),
                "legal_representative_id_hash": crypto.keyed_hash(DEMO_ID_NUMBER),
                "legal_representative_id_masked": crypto.mask_id(DEMO_ID_NUMBER),
                "contact_phone": "13800000000",
                "authority": "scjg",
                "submitted_at": now - timedelta(days=20),
                "decided_at": now - timedelta(days=15),
                "approved_on": (now - timedelta(days=15)).date(),
            },
        )
        if registration not in found:
            found.append(registration)
    return found[:2]


def _data(places_young: int, places_old: int) -> dict[str, Any]:
    places = places_young + places_old
    return {
        "person_in_charge_name": "王园长",
        "person_in_charge_id_number": DEMO_ID_NUMBER,
        "care_modes": ["full_day"],
        "places": places,
        "classes": [
            {"class_type": "young_toddler", "children": places_young, "carers": 3},
            {"class_type": "older_toddler", "children": places_old, "carers": 3},
        ],
        "staff": {
            "caregivers": 6,
            "health_workers": 1,
            "security_guards": 1,
            "cooks": 1,
            "managers": 2,
        },
        "building_area_m2": Decimal("480"),
        "indoor_area_m2": Decimal(places * 4),
        "outdoor_area_m2": Decimal(places * 3),
        "children_floor": 1,
        "site_tenure": "leased",
        "lease_end": timezone.localdate() + timedelta(days=365 * 5),
        "meals": "on_site",
        "inclusive": True,
        "monthly_fee": Decimal("1600.00"),
        "commitment_accepted": True,
    }


def _filing(operator: User, registration: Registration, data: dict[str, Any]) -> Filing:
    existing = (
        Filing.objects.filter(institution=registration.institution)
        .exclude(status=FilingStatus.DEREGISTERED)
        .first()
    )
    if existing:
        return existing
    filing = svc.create_filing(actor=operator, registration=registration, data=data)
    for kind in required_kinds(filing.meals):
        label = str(MATERIALS_BY_KIND[kind].label)
        svc.add_document(
            filing,
            actor=operator,
            kind=kind,
            upload=SimpleUploadedFile(f"{label}.pdf", demo_pdf(label), "application/pdf"),
        )
    return svc.submit_filing(filing, actor=operator)


def seed(stdout: IO[str]) -> None:
    operator = User.objects.filter(username="operator").first()
    reviewer = User.objects.filter(username="health").first()
    if operator is None or reviewer is None:
        stdout.write("demo filings: skipped (demo users missing)")
        return
    with transaction.atomic():
        registrations = _approved_registrations(operator)
        filed = _filing(operator, registrations[0], _data(15, 20))
        if filed.status == FilingStatus.SUBMITTED:
            filed = svc.accept_filing(filed, actor=reviewer)
        waiting = _filing(operator, registrations[1], _data(12, 14))
    stdout.write(
        f"demo filings: {filed.filing_number or filed.pk} ({filed.status}), "
        f"#{waiting.pk} ({waiting.status})"
    )
