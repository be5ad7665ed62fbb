"""Demo data for the roster and the ban register (called by `seed_demo`). Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TextIO

from django.utils import timezone

from registry.models import Ban, Filing, StaffMember
from registry.services.bans import create_ban
from registry.services.staff import add_staff_member
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError

# Checksum-valid demo ID numbers (GB 11643); fictional people.
DEMO_STAFF = [
    ("张丽", "110101199001010023", "caregiver", 20),
    ("李娜", "110101199202020025", "health_worker", 200),
    ("王强", "110101198803030013", "security_guard", 300),
]
DEMO_BANNED = ("赵某", "110101198505050016")


def seed(stdout: TextIO) -> None:
    health = User.objects.filter(role=Role.HEALTH_REVIEWER).order_by("id").first()
    if health is not None and not Ban.objects.exists():
        try:
            create_ban(
                actor=health,
                id_number=DEMO_BANNED[1],
                name=DEMO_BANNED[0],
                legal_basis="《托育机构管理规范》；依法作出终身禁入决定（演示数据）",
                decision_ref="岚卫禁字〔2026〕1号",
                decided_on=date(2026, 1, 15),
            )
            stdout.write("  demo ban added\n")
        except DomainError as error:
            stdout.write(f"  demo ban skipped: {error}\n")
    today = timezone.localdate()
    for filing in Filing.objects.public().select_related("institution")[:3]:
        operator = filing.institution.memberships.filter(user__role=Role.OPERATOR).first()
        if operator is None or StaffMember.objects.filter(institution=filing.institution).exists():
            continue
        for name, id_number, role, days in DEMO_STAFF:
            try:
                add_staff_member(
                    filing.institution,
                    actor=operator.user,
                    data={
                        "name": name,
                        "id_number": id_number,
                        "role": role,
                        "health_certificate_expires": today + timedelta(days=days),
                        "background_check_date": today - timedelta(days=90),
                    },
                )
            except DomainError:
                continue  # already employed at another demo institution
        stdout.write(f"  demo staff for {filing.institution.name}\n")
