"""A small statistics data set with hand-computable figures (see `seed_stats`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from inspections.models import Complaint, ComplaintStatus, Finding, FindingStatus, Inspection
from registry.models import Filing, FilingStatus, Institution
from subsidies.models import Claim, ClaimStatus, Scheme, SchemeKind
from tests import factories
from tests.factories import credit_code
from tuoyu_portal.accounts.models import User
from tuoyu_portal.regions.models import RegionYear

BJ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 6, 15)
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=BJ)
LANSHAN, DONGGANG, RIZHAO = "371103", "371102", "371100"
_serial = count(1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BJ)


_FILING_FACTORIES: dict[str, type[factories.FilingFactory]] = {
    FilingStatus.DRAFT: factories.FilingFactory,
    FilingStatus.SUBMITTED: factories.SubmittedFilingFactory,
    FilingStatus.SUPPLEMENT_REQUESTED: factories.SupplementRequestedFilingFactory,
    FilingStatus.FILED: factories.FiledFilingFactory,
    FilingStatus.NONCONFORMING: factories.NonconformingFilingFactory,
    FilingStatus.CLOSING: factories.ClosingFilingFactory,
    FilingStatus.DEREGISTERED: factories.DeregisteredFilingFactory,
}


def make_filing(
    region: str = LANSHAN,
    *,
    status: str = FilingStatus.FILED,
    places: int | None = 30,
    inclusive: bool = False,
    owner: User | None = None,
    institution: Institution | None = None,
    **fields: Any,
) -> Filing:
    """A filing in `status` (with its institution and approved registration) from the filing
    factory of that state: statistics only read rows, so the workflow services are not needed
    to build the data set, and no class rows are written beside the places given."""
    n = next(_serial)
    institution = institution or factories.InstitutionFactory(
        region_id=region, owner=owner, name=f"统计测试第{n}全日制托育有限公司"
    )
    return _FILING_FACTORIES[status](
        institution=institution,
        region_id=region,
        places=places,
        inclusive=inclusive,
        classes=[],
        **fields,
    )


def make_finding(
    filing: Filing, *, severity: str, deadline: datetime.date, status: str = FindingStatus.OPEN
) -> Finding:
    inspection = Inspection.objects.create(
        filing=filing,
        institution=filing.institution,
        region_id=filing.region_id,
        kind="routine",
        visited_on=deadline - datetime.timedelta(days=30),
    )
    return Finding.objects.create(
        inspection=inspection,
        institution=filing.institution,
        region_id=filing.region_id,
        rule="管理规范 §32",
        severity=severity,
        description="监控录像保存不足90天",
        deadline=deadline,
        status=status,
    )


def make_claim(
    filing: Filing,
    *,
    kind: str,
    amount: str,
    status: str = ClaimStatus.PAID,
    paid_at: datetime.datetime | None = None,
    decided_at: datetime.datetime | None = None,
    created_by: User | None = None,
) -> Claim:
    scheme = Scheme.objects.filter(region_id=filing.region_id, kind=kind).first()
    if scheme is None:
        scheme = Scheme.objects.create(
            region_id=filing.region_id,
            kind=kind,
            amount=Decimal("300.00"),
            amount_third_plus=Decimal("600.00") if kind == SchemeKind.FAMILY_FEE else None,
            valid_from=datetime.date(2020, 1, 1),
        )
    creator = created_by or factories.UserFactory()
    return Claim.objects.create(
        filing=filing,
        institution=filing.institution,
        region_id=filing.region_id,
        scheme=scheme,
        kind=kind,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 1),
        status=status,
        amount=Decimal(amount),
        created_by=creator,
        decided_at=decided_at,
        paid_at=paid_at,
        dedupe_key=f"stats-{next(_serial)}",
    )


def seed_stats() -> dict[str, Any]:
    """The hand-computed data set (year 2026, today 2026-06-15 Beijing).

    岚山 371103 (population 10 000, target 4.72 from its RegionYear row):
      F1 filed, 30 places, 普惠; receipt due 03-09, issued 03-05 (kept); visited 2026-02-01.
      F2 nonconforming, 20 places; receipt due 04-10, issued 04-14 (late); conformity due 05-01,
         decided 04-20 (kept); visited only in 2025.
      F3 submitted, 10 places (not filed); receipt due 06-01 < today (late, pending).
      F4 draft and F7 deregistered (their registrations count as registered-not-filed), plus one
      approved registration without any filing.
      Findings: minor open (due 07-01), major open (due 06-01, overdue), critical verified.
      Complaints 2026: one closed after 10 days, one open past its due date 06-01.
      Paid claims 2026: startup 40 000.00 + family_fee 1 800.00; an approved-unpaid claim and a
      claim paid in 2025 do not count.
    东港 371102 (population 20 000, no target → rule default 4.5): F5 filed, 40 places, 普惠.
    日照 371100 has no row: population 30 000 = the sum of its counties.
    """
    RegionYear.objects.update_or_create(
        region_id=LANSHAN,
        year=2026,
        defaults={"population": 10000, "target_places_per_1000": Decimal("4.72")},
    )
    RegionYear.objects.update_or_create(
        region_id=DONGGANG,
        year=2026,
        defaults={"population": 20000, "target_places_per_1000": None},
    )
    RegionYear.objects.filter(region_id=RIZHAO, year=2026).delete()
    f1 = make_filing(
        inclusive=True,
        received_at=at(datetime.date(2026, 3, 2)),
        receipt_due=datetime.date(2026, 3, 9),
        receipt_issued_at=at(datetime.date(2026, 3, 5)),
        conformity_due=datetime.date(2026, 3, 23),
    )
    f2 = make_filing(
        status=FilingStatus.NONCONFORMING,
        places=20,
        receipt_due=datetime.date(2026, 4, 10),
        # 23:30 Beijing on 04-14 is still 04-14 (UTC 15:30): the Beijing date is what counts.
        receipt_issued_at=at(datetime.date(2026, 4, 14), 23),
        conformity_due=datetime.date(2026, 5, 1),
        conformity_decided_at=at(datetime.date(2026, 4, 20)),
    )
    f3 = make_filing(
        status=FilingStatus.SUBMITTED,
        places=10,
        received_at=at(datetime.date(2026, 5, 25)),
        receipt_due=datetime.date(2026, 6, 1),
        conformity_due=datetime.date(2026, 6, 15),
    )
    make_filing(status=FilingStatus.DRAFT, places=None)
    make_filing(status=FilingStatus.DEREGISTERED, places=15)
    factories.ApprovedRegistrationFactory(
        institution=factories.InstitutionFactory(region_id=LANSHAN),
        region_id=LANSHAN,
        credit_code=credit_code(800001),
    )
    f5 = make_filing(DONGGANG, places=40, inclusive=True)
    Inspection.objects.create(
        filing=f1,
        institution=f1.institution,
        region_id=LANSHAN,
        kind="routine",
        visited_on=datetime.date(2026, 2, 1),
    )
    Inspection.objects.create(
        filing=f2,
        institution=f2.institution,
        region_id=LANSHAN,
        kind="routine",
        visited_on=datetime.date(2025, 11, 1),
    )
    # The findings' own inspections are dated deadline - 30 days: 2026-06-01 (F1) counts for F1
    # (already visited) and nothing else, so coverage stays 1 of 2.
    make_finding(f1, severity="minor", deadline=datetime.date(2026, 7, 1))
    make_finding(f1, severity="major", deadline=datetime.date(2026, 6, 1))
    make_finding(
        f1,
        severity="critical",
        deadline=datetime.date(2026, 5, 1),
        status=FindingStatus.VERIFIED,
    )
    closed = Complaint.objects.create(
        tracking_code="TSTATS0001",
        filing=f1,
        institution=f1.institution,
        region_id=LANSHAN,
        content="午睡时无人看护",
        status=ComplaintStatus.SUBSTANTIATED,
        due_on=datetime.date(2026, 3, 20),
        closed_at=at(datetime.date(2026, 3, 11)),
    )
    open_ = Complaint.objects.create(
        tracking_code="TSTATS0002",
        filing=f2,
        institution=f2.institution,
        region_id=LANSHAN,
        content="收费未公示",
        status=ComplaintStatus.RECEIVED,
        due_on=datetime.date(2026, 6, 1),
    )
    Complaint.objects.filter(pk=closed.pk).update(created_at=at(datetime.date(2026, 3, 1)))
    Complaint.objects.filter(pk=open_.pk).update(created_at=at(datetime.date(2026, 5, 10)))
    paid = at(datetime.date(2026, 5, 1))
    make_claim(f1, kind=SchemeKind.STARTUP, amount="40000.00", paid_at=paid)
    make_claim(f1, kind=SchemeKind.FAMILY_FEE, amount="1800.00", paid_at=paid)
    make_claim(f1, kind=SchemeKind.PLACE_OPERATION, amount="999.00", status=ClaimStatus.APPROVED)
    make_claim(
        f1,
        kind=SchemeKind.DEMONSTRATION_AWARD,
        amount="50000.00",
        paid_at=at(datetime.date(2025, 12, 1)),
    )
    return {"f1": f1, "f2": f2, "f3": f3, "f5": f5}
