"""Penalties that mean what the law says: 责令停止服务 shows on the public side; 撤销备案 is no
penalty of 人口与计划生育法 §41."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections.models import CreditRecord, EnforcementAction, EnforcementKind
from inspections.services import enforcement
from registry.models import Filing, FilingStatus, FilingTransition, StaffMember
from tests.conftest import client_for
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError

pytestmark = pytest.mark.django_db


def _stop(filing: Filing, reviewer: User, until: date | None = None) -> EnforcementAction:
    return enforcement.record_enforcement(
        filing, actor=reviewer, kind="stop_service", legal_basis="人口与计划生育法第四十一条",
        decision_ref="岚卫罚〔2026〕9号", decided_on=timezone.localdate(), in_force_until=until,
    )  # fmt: skip


def test_verify_and_public_api_say_suspended_until_lifted(
    filing: Filing, county_reviewer: User
) -> None:
    number = filing.filing_number
    api = f"/api/v1/public/filings/{number}/"
    before = Client().get(api).json()
    assert (before["valid"], before["suspended"]) == (True, False)
    action = _stop(filing, county_reviewer)
    body = Client().get(api).json()
    assert (body["valid"], body["suspended"]) == (False, True)
    page = Client().get(reverse("verify", args=[number])).content.decode()
    assert "责令停止托育服务" in page and "真实有效" not in page
    # The register flags it too, on the lean list and the facility page.
    cards = Client().get("/api/v1/public/facilities/").json()["results"]
    assert [c["suspended"] for c in cards if c["filing_number"] == number] == [True]
    facility = Client().get(reverse("public-facility", args=[number])).content.decode()
    assert "责令停止托育服务" in facility
    enforcement.update_correction(
        action, actor=county_reviewer, correction_status="corrected", lift=True
    )
    after = Client().get(api).json()
    assert (after["valid"], after["suspended"]) == (True, False)
    cards = Client().get("/api/v1/public/facilities/").json()["results"]
    assert [c["suspended"] for c in cards if c["filing_number"] == number] == [False]
    assert "真实有效" in Client().get(reverse("verify", args=[number])).content.decode()


def test_a_suspension_ends_on_its_last_day(filing: Filing, county_reviewer: User) -> None:
    _stop(filing, county_reviewer, until=timezone.localdate() + timedelta(days=10))
    filing.refresh_from_db()
    assert filing.is_suspended()
    assert filing.is_suspended(timezone.localdate() + timedelta(days=10))
    assert not filing.is_suspended(timezone.localdate() + timedelta(days=11))


def test_a_warning_does_not_suspend(filing: Filing, county_reviewer: User) -> None:
    enforcement.record_enforcement(
        filing, actor=county_reviewer, kind="warning", legal_basis="§41",
        decision_ref="岚卫罚〔2026〕10号", decided_on=timezone.localdate(),
    )  # fmt: skip
    assert (
        client_for(county_reviewer)
        .get(f"/api/v1/public/filings/{filing.filing_number}/")
        .json()["suspended"]
        is False
    )


def test_revoking_a_filing_is_not_a_penalty_kind(filing: Filing, county_reviewer: User) -> None:
    assert "revoke_filing" not in EnforcementKind.values
    with pytest.raises(DomainError) as caught:
        enforcement.record_enforcement(
            filing, actor=county_reviewer, kind="revoke_filing", legal_basis="§41",
            decision_ref="岚卫罚〔2026〕11号", decided_on=timezone.localdate(),
        )  # fmt: skip
    assert caught.value.violations[0].code == "invalid_choice"
    assert not EnforcementAction.objects.exists()


def test_the_migration_turns_a_recorded_revocation_into_the_bureaus_deregistration(
    filing: Filing, county_reviewer: User
) -> None:
    """Rows recorded before: the filing ends by that decision, with its legal basis."""
    with connection.cursor() as cursor:
        # Rows as stored before this change, when the check constraint still allowed the kind.
        cursor.execute(
            "ALTER TABLE inspections_enforcementaction DROP CONSTRAINT enforcement_kind_valid"
        )
    member = StaffMember.objects.create(
        institution=filing.institution,
        name="李娜",
        id_encrypted=crypto.encrypt("110101199003070011"),
        id_hash=crypto.keyed_hash("110101199003070011"),
        id_masked=crypto.mask_id("110101199003070011"),
        role="caregiver",
    )
    kept = _stop(filing, county_reviewer)
    revoke = EnforcementAction.objects.create(
        institution_id=filing.institution_id, filing=filing, region_id=filing.region_id,
        kind="revoke_filing", legal_basis="托育机构登记和备案办法", decision_ref="岚卫撤〔2025〕1号",
        decided_on=date(2025, 12, 1), decided_by=county_reviewer,
    )  # fmt: skip
    CreditRecord.objects.create(
        institution_id=filing.institution_id, region_id=filing.region_id, source="enforcement",
        source_id=revoke.pk, rule_key="credit_weight_revoke_filing", points=80, reason="撤销备案",
    )  # fmt: skip
    migration = importlib.import_module(
        "inspections.migrations.0006_penalty_kinds_without_revoke_filing"
    )
    migration.revocations_to_deregistrations(django_apps, None)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.DEREGISTERED
    row = FilingTransition.objects.get(filing=filing, to_status="deregistered")
    assert row.details["legal_basis"] == "托育机构登记和备案办法"
    assert row.details["decision_ref"] == "岚卫撤〔2025〕1号"
    assert not EnforcementAction.objects.filter(pk=revoke.pk).exists()
    assert not CreditRecord.objects.filter(source_id=revoke.pk, source="enforcement").exists()
    assert EnforcementAction.objects.filter(pk=kept.pk).exists()
    member.refresh_from_db()
    assert member.active is False and member.left_on == date(2025, 12, 1)
