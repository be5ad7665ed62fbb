"""Factories for the inspections tests: filed filings, visits, findings."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from inspections.models import Finding, Inspection
from registry.models import Filing, Institution
from tests import factories
from tuoyu_portal.accounts.models import User

_numbers = itertools.count(1)


def filed_filing(institution: Institution, **overrides: Any) -> Filing:
    # A draft registration is enough for the FK (approved ones are unique per credit code).
    registration = factories.RegistrationFactory(institution=institution)
    values: dict[str, Any] = {
        "institution": institution,
        "registration": registration,
        "region_id": institution.region_id,
        "status": Filing.Status.FILED,
        "filing_number": f"{institution.region_id}-2026-{next(_numbers):05d}",
        "filed_on": date(2025, 1, 10),
        "places": 40,
    }
    values.update(overrides)
    return Filing.objects.create(**values)


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
