"""Demo data for inspections (called by `seed_demo`; idempotent)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from registry.models import Filing, Institution, Membership, Registration
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User

from .models import ChecklistTemplate, Complaint, Inspection
from .services import complaints, findings, visits

DEMO_ID = "11010519491231002X"  # a valid test ID number (domain.md §8), never a real person


def _fallback_filing() -> Filing:
    """A filed demo facility when the registry demo has none (e.g. this app seeded alone)."""
    institution, _created = Institution.objects.get_or_create(
        name="岚山区示范全日制托育有限公司",
        defaults={"region_id": "371103", "address": "日照市岚山区安东卫街道"},
    )
    operator = User.objects.filter(username="operator").first()
    if operator is not None:
        Membership.objects.get_or_create(
            institution=institution, user=operator, defaults={"is_owner": True}
        )
    filing = Filing.objects.filter(institution=institution).exclude(status="deregistered").first()
    if filing is not None:
        return filing
    registration = Registration.objects.create(
        institution=institution,
        name=institution.name,
        legal_nature="for_profit",
        care_modes=["full_day"],
        business_scope="托育服务",
        region_id="371103",
        address=institution.address,
        legal_representative_name="王明",
        legal_representative_id_encrypted=crypto.encrypt(DEMO_ID),
        legal_representative_id_hash=crypto.keyed_hash(DEMO_ID),
        legal_representative_id_masked=crypto.mask_id(DEMO_ID),
        contact_phone="13800000000",
        authority="scjg",
    )
    return Filing.objects.create(
        institution=institution,
        registration=registration,
        region_id="371103",
        status="filed",
        filing_number="371103-DEMO-0001",
        filed_on=timezone.localdate() - timedelta(days=400),
        places=40,
    )


def seed(stdout: Any) -> None:
    inspector = User.objects.filter(username="inspector").first()
    if inspector is None:
        return
    group = Group.objects.filter(name="inspectors").first()
    if group is not None:
        inspector.groups.add(group)
    if not inspector.is_staff:
        inspector.is_staff = True
        inspector.save(update_fields=["is_staff"])
    filing = (
        Filing.objects.public().filter(region_id="371103").exclude(filing_number="").first()
        or _fallback_filing()
    )
    if Inspection.objects.filter(filing=filing).exists():
        return
    today = timezone.localdate()
    inspection = visits.record_inspection(
        filing,
        actor=inspector,
        kind="routine",
        visited_on=today - timedelta(days=20),
        notes="日常巡查：现场查看监控、晨午检记录和食品留样。",
        observed_classes=[{"class_type": "young_toddler", "children": 16, "carers": 3}],
        checklist_template=ChecklistTemplate.objects.filter(code="routine", published=True).first(),
        checklist_answers={"cctv_retention_90d": {"ok": False, "note": "仅保存30日"}},
    )
    findings.record_finding(
        inspection,
        actor=inspector,
        rule="托育机构管理规范（试行）第三十二条",
        severity="major",
        description="监控录像只保存了30天，规定至少保存90天。",
        deadline=today - timedelta(days=5),
    )
    findings.record_finding(
        inspection,
        actor=inspector,
        rule="技术指导",
        severity="minor",
        description="建议在午睡室增加遮光窗帘。",
        technical_advice=True,
    )
    if not Complaint.objects.filter(filing=filing).exists():
        complaints.submit_complaint(
            facility=filing.filing_number,
            content="孩子接回时多次发现尿布长时间未更换。",
            contact="13800000001",
        )
    stdout.write("inspections: demo visit, findings and a complaint")
