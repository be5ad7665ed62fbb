"""Factories for subsidy tests: filed filings with classes, 岚山 schemes, valid child ID numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from registry.models import ClassType, Filing, FilingClass, FilingStatus, Institution
from subsidies.models import Scheme, SchemeKind
from tests.factories import ApprovedRegistrationFactory

_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]


_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_credit_serial = iter(range(1, 10**9))


def credit_code(serial: int | None = None) -> str:
    """A valid 统一社会信用代码 (GB 32100 check) for a for-profit institution in 371103."""
    body = f"91371103{(serial or next(_credit_serial)):09d}"
    total = sum(_USCC.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + _USCC[(31 - total % 31) % 31]


def child_id_number(born: date, serial: int = 1, region: str = "371103") -> str:
    """A valid GB 11643 number (ISO 7064 MOD 11-2 check) for a child born on `born`."""
    body = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    check = (12 - sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


class FiledFilingFactory(factory.django.DjangoModelFactory):
    """A `filed`, 普惠 filing with 30 places and (by default) 2 classes."""

    class Meta:
        model = Filing
        skip_postgeneration_save = True

    registration = factory.SubFactory(ApprovedRegistrationFactory)
    institution = factory.LazyAttribute(lambda o: o.registration.institution)
    region_id = factory.LazyAttribute(lambda o: o.institution.region_id)
    status = FilingStatus.FILED
    filing_number = factory.Sequence(lambda n: f"BA371103{n:06d}")
    person_in_charge_name = "王明"
    care_modes = factory.LazyFunction(lambda: ["full_day"])
    places = 30
    inclusive = True
    monthly_fee = Decimal("1500.00")
    commitment_accepted = True
    filed_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def classes(self, create: bool, extracted: int | None, **kwargs: Any) -> None:
        if create:
            for _ in range(2 if extracted is None else extracted):
                FilingClass.objects.create(
                    filing=self, class_type=ClassType.OLDER_TODDLER, children=15, carers=3
                )


def filed_filing(institution: Institution, **kwargs: Any) -> Filing:
    return FiledFilingFactory(
        registration=ApprovedRegistrationFactory(
            institution=institution, credit_code=kwargs.pop("credit_code", None) or credit_code()
        ),
        **kwargs,
    )


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    region_id = "371103"
    kind = SchemeKind.FAMILY_FEE
    amount = Decimal("300.00")
    amount_third_plus = factory.LazyAttribute(
        lambda o: Decimal("600.00") if o.kind == SchemeKind.FAMILY_FEE else None
    )
    valid_from = date(2025, 1, 1)
    valid_to = None


def lanshan_schemes(region: str = "371103") -> dict[str, Scheme]:
    """The 岚山 amounts: 20 000 per class, 300/600 per child-month, 50 000 award, 100 per place."""
    return {
        SchemeKind.STARTUP: SchemeFactory(
            region_id=region, kind=SchemeKind.STARTUP, amount=Decimal("20000.00")
        ),
        SchemeKind.FAMILY_FEE: SchemeFactory(region_id=region, kind=SchemeKind.FAMILY_FEE),
        SchemeKind.DEMONSTRATION_AWARD: SchemeFactory(
            region_id=region, kind=SchemeKind.DEMONSTRATION_AWARD, amount=Decimal("50000.00")
        ),
        SchemeKind.PLACE_OPERATION: SchemeFactory(
            region_id=region, kind=SchemeKind.PLACE_OPERATION, amount=Decimal("100.00")
        ),
    }
