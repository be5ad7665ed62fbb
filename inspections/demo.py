"""Demo data for inspections (called by `seed_demo`; idempotent)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from registry.models import Filing
from tuoyu_portal.accounts.models import User

from .models import ChecklistTemplate, Complaint, Inspection
from .services import complaints, findings, visits


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
    filing = Filing.objects.public().filter(region_id="371103").exclude(filing_number="").first()
    if filing is None or Inspection.objects.filter(filing=filing).exists():
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
