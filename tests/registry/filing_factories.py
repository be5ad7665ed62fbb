"""Helpers for filing tests: a complete, standards-conforming filing and small valid files."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import uscc

from registry.materials import required_kinds
from registry.models import Filing, Registration
from registry.services import filings as svc
from tests import factories
from tuoyu_portal.accounts.models import User

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Smallest well-formed images: uploads are checked whole, not by magic number alone.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00\xff\xda\x00\x08\x01\x01\x00\x00?\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xd9"
ELF_BYTES = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


def pdf(name: str = "doc.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def good_data(**overrides: Any) -> dict[str, Any]:
    """备案书 facts that pass every standard (two classes, 25 places)."""
    data: dict[str, Any] = {
        "person_in_charge_name": "张华",
        "person_in_charge_id_number": factories.VALID_ID_NUMBER,
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


_serial = itertools.count(1)


def credit_code(prefix: str = "91371103") -> str:
    """A fresh valid 统一社会信用代码 (approved codes are unique)."""
    body = f"{prefix}{next(_serial):09d}"
    return body + uscc.calc_check_digit(body + "0")


def approved_registration(institution: Any, **kwargs: Any) -> Registration:
    return factories.ApprovedRegistrationFactory(
        institution=institution,
        credit_code=kwargs.pop("credit_code", None) or credit_code(),
        **kwargs,
    )


def draft_filing(
    operator: User,
    institution: Any,
    *,
    documents: bool = True,
    skip: tuple[str, ...] = (),
    **data: Any,
) -> Filing:
    registration = approved_registration(institution)
    filing = svc.create_filing(actor=operator, registration=registration, data=good_data(**data))
    if documents:
        for kind in required_kinds(filing.meals):
            if kind in skip:
                continue
            svc.add_document(filing, actor=operator, kind=kind, upload=pdf(f"{kind}.pdf"))
    return filing


def submitted_filing(operator: User, institution: Any, **data: Any) -> Filing:
    return svc.submit_filing(draft_filing(operator, institution, **data), actor=operator)


def filed_filing(operator: User, institution: Any, reviewer: User) -> Filing:
    return svc.accept_filing(submitted_filing(operator, institution), actor=reviewer)
