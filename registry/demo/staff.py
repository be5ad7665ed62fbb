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
    # The first filed institutions of each demo county get a roster (one person works at one).
    filings = [
        filing
        for county in ("371103", "141023")
        for filing in Filing.objects.public()
        .filter(region_id=county)
        .select_related("institution")
        .order_by("filed_on", "pk")[:2]
    ]
    for serial, filing in enumerate(filings):
        operator = filing.institution.memberships.filter(user__role=Role.OPERATOR).first()
        if operator is None or StaffMember.objects.filter(institution=filing.institution).exists():
            continue
        staff = DEMO_STAFF if serial == 0 else _more_staff(serial)
        for name, id_number, role, days in staff:
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


def _more_staff(serial: int) -> list[tuple[str, str, str, int]]:
    """Three more fictional people per institution, with checksum-valid ID numbers."""
    from registry.demo.plan import demo_id_number

    names = [("陈静", "caregiver", 120), ("刘洋", "health_worker", 25), ("孙涛", "cook", 400)]
    return [
        (name, demo_id_number("110101", f"1990{serial:02d}{n + 10:02d}", 800 + n), role, days)
        for n, (name, role, days) in enumerate(names)
    ]
