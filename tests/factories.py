"""factory_boy factories and builders for every test (style.md §10): minimal valid defaults.

Identifiers first, then input a form or an API accepts, then the rows: users, institutions,
registrations, one filing factory per filing state, and the inspection and subsidy rows built
on a filing. A factory writes the same fields the service that reaches its state writes; the
builders at the end go through the services themselves, documents included."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum.cn import ric, uscc

from inspections.models import Finding, Inspection
from registry.materials import required_kinds
from registry.models import (
    ClassType,
    Filing,
    FilingClass,
    FilingStatus,
    Institution,
    LegalNature,
    Registration,
    RegistrationStatus,
)
from registry.services import filing_documents
from registry.services import filings as filing_services
from subsidies.models import Scheme, SchemeKind
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.regions import rules

# ── Identifiers ──────────────────────────────────────────────────────────────────────────────

# Valid identifiers from domain.md §8.
VALID_ID_NUMBER = "11010519491231002X"
VALID_CREDIT_CODE = "91110000600037341L"
PERSON_IN_CHARGE_ID = "110101199003070011"  # checksum-valid, fictional

# A county without the local name switches (东莞 is a city acting as a county).
COUNTY_WITHOUT_NAME_RULES = "441900"

# Fresh codes start far above the serials tests pass by hand, so the two never meet.
_fresh_credit_serials = itertools.count(500_000_000)


def credit_code(serial: int | None = None, *, prefix: str = "91", region: str = "371103") -> str:
    """A valid 统一社会信用代码 (GB 32100 check digit): the same code for the same serial, a fresh
    one without (approved codes are unique). The prefix says the legal nature (12 / 52 / 91 /
    92)."""
    number = next(_fresh_credit_serials) if serial is None else serial
    body = f"{prefix}{region}{number:09d}"
    return body + uscc.calc_check_digit(body)


def id_number(region: str = "371103", born: str = "19850612", serial: int = 1) -> str:
    """A valid 居民身份证号码 (GB 11643 check digit)."""
    body = f"{region}{born}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 of 18


def child_id_number(born: date, serial: int = 1, region: str = "371103") -> str:
    """A valid 居民身份证号码 for a child born on `born`."""
    return id_number(region, f"{born:%Y%m%d}", serial)


# ── Input as a form or the API takes it ─────────────────────────────────────────────────────


def valid_data(**overrides: Any) -> dict[str, Any]:
    """A registration application that passes every rule."""
    data: dict[str, Any] = {
        "name": "岚山区阳光全日制托育有限公司",
        "legal_nature": "for_profit",
        "care_modes": ["full_day"],
        "business_scope": "托育服务；3岁以下婴幼儿照护服务",
        "region": "371103",
        "address": "日照市岚山区安东卫街道1号",
        "legal_representative_name": "王明",
        "legal_representative_id_number": VALID_ID_NUMBER,
        "contact_phone": "13800000000",
    }
    data.update(overrides)
    return data


def good_data(**overrides: Any) -> dict[str, Any]:
    """备案书 facts that pass every standard (two classes, 25 places)."""
    data: dict[str, Any] = {
        "person_in_charge_name": "张华",
        "person_in_charge_id_number": VALID_ID_NUMBER,
        "care_modes": ["full_day"],
        "places": 25,
        "classes": [
            {"class_type": "young_toddler", "children": 10, "carers": 2},
            {"class_type": "older_toddler", "children": 15, "carers": 3},
        ],
        "staff": {
            "caregivers": 5,
            "health_workers": 1,
            "security_guards": 1,
            "cooks": 1,
            "managers": 1,
        },
        "building_area_m2": Decimal("400"),
        "indoor_area_m2": Decimal("120"),
        "outdoor_area_m2": Decimal("80"),
        "children_floor": 1,
        "site_tenure": "leased",
        "lease_end": date.today() + timedelta(days=365 * 5),
        "meals": "delivered",
        "inclusive": True,
        "monthly_fee": Decimal("1800.00"),
        "commitment_accepted": True,
    }
    data.update(overrides)
    return data


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Smallest well-formed images: uploads are checked whole, not by magic number alone.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00\xff\xda\x00\x08\x01\x01\x00\x00?\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xd9"
ELF_BYTES = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


def pdf(name: str = "doc.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# ── Users, institutions, registrations ───────────────────────────────────────────────────────


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OPERATOR
    region_id = "371103"
    password = factory.django.Password("correct-horse-battery")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"岚山区第{n}全日制托育有限公司")
    region_id = "371103"
    address = "日照市岚山区安东卫街道"

    @factory.post_generation
    def owner(self, create: bool, extracted: User | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            Membership.objects.create(institution=self, user=extracted, is_owner=True)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A draft registration that passes every rule (for_profit, routed as its region's rules say:
    岚山 xzsp, elsewhere scjg)."""

    class Meta:
        model = Registration

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.LazyAttribute(lambda o: o.institution.name)
    legal_nature = LegalNature.FOR_PROFIT
    care_modes = factory.LazyFunction(lambda: ["full_day"])
    business_scope = "托育服务；3岁以下婴幼儿照护服务"
    region_id = factory.LazyAttribute(lambda o: o.institution.region_id)
    address = factory.LazyAttribute(lambda o: o.institution.address)
    legal_representative_name = "王明"
    legal_representative_id_encrypted = factory.LazyFunction(
        lambda: crypto.encrypt(VALID_ID_NUMBER)
    )
    legal_representative_id_hash = factory.LazyFunction(lambda: crypto.keyed_hash(VALID_ID_NUMBER))
    legal_representative_id_masked = factory.LazyFunction(lambda: crypto.mask_id(VALID_ID_NUMBER))
    contact_phone = "13800000000"
    authority = factory.LazyAttribute(lambda o: rules.authority_for(o.legal_nature, o.region_id))
    status = RegistrationStatus.DRAFT


class SubmittedRegistrationFactory(RegistrationFactory):
    status = RegistrationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class ApprovedRegistrationFactory(SubmittedRegistrationFactory):
    status = RegistrationStatus.APPROVED
    credit_code = VALID_CREDIT_CODE
    decided_at = factory.LazyFunction(timezone.now)
    approved_on = factory.LazyFunction(timezone.localdate)


def approved_registration(institution: Institution, **kwargs: Any) -> Registration:
    """An approved registration of `institution` with a credit code of its own."""
    return ApprovedRegistrationFactory(
        institution=institution,
        credit_code=kwargs.pop("credit_code", None) or credit_code(),
        **kwargs,
    )


# ── Filings, one factory per state ───────────────────────────────────────────────────────────


class FilingFactory(factory.django.DjangoModelFactory):
    """A draft, 普惠 filing of an approved registration: 30 places in two older_toddler classes of
    15 children and 3 carers. `classes=[20]` gives one class of 20, `classes=[]` none."""

    class Meta:
        model = Filing
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    registration = factory.LazyAttribute(lambda o: approved_registration(o.institution))
    region_id = factory.LazyAttribute(lambda o: o.institution.region_id)
    status = FilingStatus.DRAFT
    person_in_charge_name = "刘芳"
    person_in_charge_id_encrypted = factory.LazyFunction(
        lambda: crypto.encrypt(PERSON_IN_CHARGE_ID)
    )
    person_in_charge_id_hash = factory.LazyFunction(lambda: crypto.keyed_hash(PERSON_IN_CHARGE_ID))
    person_in_charge_id_masked = factory.LazyFunction(lambda: crypto.mask_id(PERSON_IN_CHARGE_ID))
    care_modes = factory.LazyFunction(lambda: ["full_day"])
    places = 30
    inclusive = True
    monthly_fee = Decimal("1500.00")
    commitment_accepted = True

    @factory.post_generation
    def classes(self, create: bool, extracted: Sequence[int] | None, **kwargs: Any) -> None:
        if create:
            for children in (15, 15) if extracted is None else extracted:
                FilingClass.objects.create(
                    filing=self, class_type=ClassType.OLDER_TODDLER, children=children, carers=3
                )


class SubmittedFilingFactory(FilingFactory):
    """As `submit_filing` leaves it: received now (the review clocks are the service's)."""

    status = FilingStatus.SUBMITTED
    received_at = factory.LazyFunction(timezone.now)


class SupplementRequestedFilingFactory(SubmittedFilingFactory):
    status = FilingStatus.SUPPLEMENT_REQUESTED


class FiledFilingFactory(SubmittedFilingFactory):
    """As `accept_filing` leaves it: on the public register with a filing number."""

    status = FilingStatus.FILED
    # The county format, from a sequence no county counter reaches in a test, so a factory
    # number never meets one `accept_filing` gives.
    filing_number = factory.LazyAttributeSequence(
        lambda o, n: f"{o.region_id}-2026-{90000 + n:05d}"
    )
    filed_on = factory.LazyFunction(timezone.localdate)


class NonconformingFilingFactory(FiledFilingFactory):
    status = FilingStatus.NONCONFORMING
    nonconformity_reasons = factory.LazyFunction(lambda: ["室外活动场地面积不足"])


class ClosingFilingFactory(FiledFilingFactory):
    status = FilingStatus.CLOSING


class DeregisteredFilingFactory(FiledFilingFactory):
    status = FilingStatus.DEREGISTERED


# ── Filings through the services (documents, clocks, numbers and history rows as in use) ────


def draft_filing(
    operator: User,
    institution: Institution,
    *,
    documents: bool = True,
    skip: tuple[str, ...] = (),
    **data: Any,
) -> Filing:
    """A draft made by `create_filing`, with every required document unless told otherwise."""
    filing = filing_services.create_filing(
        actor=operator, registration=approved_registration(institution), data=good_data(**data)
    )
    if documents:
        for kind in required_kinds(filing.meals):
            if kind in skip:
                continue
            filing_documents.add_document(
                filing, actor=operator, kind=kind, upload=pdf(f"{kind}.pdf")
            )
    return filing


def submitted_filing(operator: User, institution: Institution, **data: Any) -> Filing:
    return filing_services.submit_filing(
        draft_filing(operator, institution, **data), actor=operator
    )


def accepted_filing(operator: User, institution: Institution, reviewer: User) -> Filing:
    """Filed by `accept_filing`: a county number and a receipt."""
    return filing_services.accept_filing(submitted_filing(operator, institution), actor=reviewer)


# ── Inspections ─────────────────────────────────────────────────────────────────────────────


def inspection(filing: Filing, inspector: User, **overrides: Any) -> Inspection:
    values: dict[str, Any] = {
        "filing": filing,
        "institution_id": filing.institution_id,
        "region_id": filing.region_id,
        "kind": "routine",
        "departments": [inspector.department or "health"],
        "visited_on": date(2026, 3, 2),
        "created_by": inspector,
    }
    values.update(overrides)
    obj = Inspection.objects.create(**values)
    obj.inspectors.add(inspector)
    return obj


def finding(inspection: Inspection, **overrides: Any) -> Finding:
    values: dict[str, Any] = {
        "inspection": inspection,
        "institution_id": inspection.institution_id,
        "region_id": inspection.region_id,
        "rule": "管理规范 §32",
        "severity": "major",
        "description": "监控录像只保存了30天。",
        "deadline": date(2026, 3, 17),
    }
    values.update(overrides)
    return Finding.objects.create(**values)


# ── Subsidies ───────────────────────────────────────────────────────────────────────────────


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
