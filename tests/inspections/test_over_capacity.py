"""Enrolment over capacity is flagged where the portal learns the number: an inspection's count
of children against the filed places (a warning for staff, never a refusal)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from inspections.models import Inspection
from inspections.services import visits
from registry import standards
from registry.models import Filing
from tests.conftest import client_for
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db

# 40 places filed (tests/inspections/conftest.py); 44 children counted on the day.
CROWDED = [
    {"class_type": "older_toddler", "children": 20, "carers": 3},
    {"class_type": "older_toddler", "children": 20, "carers": 3},
    {"class_type": "young_toddler", "children": 4, "carers": 1},
]


def test_an_inspection_flags_more_children_than_filed_places(
    filing: Filing, inspector: User
) -> None:
    inspection = visits.record_inspection(
        filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2),
        observed_classes=CROWDED,
    )  # fmt: skip
    assert inspection.pk and inspection.over_capacity is True
    [warning] = inspection.standards_check
    assert (warning["rule"], warning["severity"]) == ("enrolment_over_capacity", "warning")
    assert "44" in warning["message"] and "40" in warning["message"]
    body = client_for(inspector).get(f"/api/v1/inspections/{inspection.pk}/").json()
    assert body["over_capacity"] is True
    listed = client_for(inspector).get("/api/v1/inspections/").json()["results"]
    assert [row["over_capacity"] for row in listed if row["id"] == inspection.pk] == [True]


def test_a_correction_of_the_count_clears_the_flag(filing: Filing, inspector: User) -> None:
    inspection = visits.record_inspection(
        filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2),
        observed_classes=CROWDED,
    )  # fmt: skip
    visits.update_inspection(inspection, actor=inspector, observed_classes=CROWDED[:2])
    inspection.refresh_from_db()
    assert inspection.over_capacity is False and inspection.standards_check == []


def test_exactly_the_filed_places_is_not_over() -> None:
    assert standards.check_enrolment(40, 40) == []
    assert standards.check_enrolment(41, None) == []
    assert [v.rule for v in standards.check_enrolment(41, 40)] == ["enrolment_over_capacity"]


def test_staff_see_the_flag_in_the_inspection_list(
    filing: Filing, inspector: User, admin_inspector: User, client
) -> None:  # type: ignore[no-untyped-def]
    visits.record_inspection(
        filing, actor=inspector, kind="routine", visited_on=date(2026, 3, 2),
        observed_classes=CROWDED,
    )  # fmt: skip
    client.force_login(admin_inspector)
    page = client.get(reverse("admin:inspections_inspection_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "超备案托位收托" in html
    only = client.get(
        reverse("admin:inspections_inspection_changelist"), {"over_capacity__exact": "1"}
    )
    assert only.context["cl"].result_count == Inspection.objects.filter(over_capacity=True).count()
    assert only.context["cl"].result_count == 1
