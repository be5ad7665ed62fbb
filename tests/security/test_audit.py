"""Audit trail: trigger-written events with the request context, bulk updates
caught, append-only tables, the daily hash chain and its verification command, retention, and
the log of every view of a full ID number."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pghistory.models
import pytest
from django.apps import apps
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from inspections.models import FindingEvent
from registry.models import (
    Ban,
    BanEvent,
    FilingEvent,
    Registration,
    RegistrationEvent,
    StaffMember,
    StaffMemberEvent,
)
from subsidies.models import ClaimEvent
from tests import factories
from tests.factories import credit_code, lanshan_schemes
from tests.subsidies.conftest import draft_family_claim
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User
from tuoyu_portal.audit import chain
from tuoyu_portal.audit.events import event_models
from tuoyu_portal.audit.models import AuditCheckpoint, IdNumberAccess
from tuoyu_portal.audit.reveal import reveal_id_number
from tuoyu_portal.exceptions import DomainError, NotPermitted

pytestmark = pytest.mark.django_db

ID = factories.VALID_ID_NUMBER


def maintenance(sql: str, params: list[Any] | None = None) -> None:
    """Run SQL past the append-only triggers, as the retention purge does (test-only tamper)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL tuoyu.audit_maintenance = 'on'")
        cursor.execute(sql, params or [])


def make_ban() -> Ban:
    return Ban.objects.create(
        name="李某",
        id_encrypted=crypto.encrypt(ID),
        id_hash=crypto.keyed_hash(ID),
        id_masked=crypto.mask_id(ID),
        legal_basis="托育机构管理规范",
        decision_ref="岚卫罚〔2026〕1号",
        decided_on=date(2026, 1, 5),
    )


def test_it_records_the_actor_path_method_and_address_of_an_api_decision(registrar: User) -> None:
    registration = factories.SubmittedRegistrationFactory()
    client = APIClient(REMOTE_ADDR="198.51.100.77")
    client.force_authenticate(registrar)
    response = client.post(
        f"/api/v1/registrations/{registration.pk}/approve/",
        {"credit_code": credit_code(77)},
        format="json",
    )
    assert response.status_code == 200, response.content
    event = RegistrationEvent.objects.filter(pgh_obj_id=registration.pk).latest("pgh_id")
    assert event.status == "approved" and event.pgh_label == "update"
    metadata = event.pgh_context.metadata
    assert metadata["user"] == registrar.pk
    assert metadata["url"] == f"/api/v1/registrations/{registration.pk}/approve/"
    assert metadata["method"] == "POST"
    assert metadata["ip"] == "198.51.100.77"


def test_it_catches_bulk_updates_and_deletes_that_bypass_the_services() -> None:
    registration = factories.RegistrationFactory()
    before = RegistrationEvent.objects.count()
    Registration.objects.filter(pk=registration.pk).update(name="批量改名全日制托育有限公司")
    assert RegistrationEvent.objects.count() == before + 1
    assert RegistrationEvent.objects.latest("pgh_id").name == "批量改名全日制托育有限公司"
    ban = make_ban()
    Ban.objects.filter(pk=ban.pk).delete()
    assert BanEvent.objects.filter(pgh_obj_id=ban.pk, pgh_label="delete").count() == 1


def test_it_tracks_registrations_filings_staff_bans_findings_and_claims(
    operator: User, institution: Any, inspector: User
) -> None:
    filing = factories.FiledFilingFactory(institution=institution)
    factories.finding(factories.inspection(filing, inspector))
    make_ban()
    StaffMember.objects.create(
        institution=institution,
        name="赵某",
        id_encrypted=crypto.encrypt(ID),
        id_hash=crypto.keyed_hash(ID),
        id_masked=crypto.mask_id(ID),
        role="caregiver",
    )
    claim_filing = factories.InstitutionFactory(region_id="371103", owner=operator)
    from tests.factories import FiledFilingFactory

    draft_family_claim(FiledFilingFactory(institution=claim_filing), operator, lanshan_schemes())
    for model in (
        RegistrationEvent,
        FilingEvent,
        FindingEvent,
        BanEvent,
        StaffMemberEvent,
        ClaimEvent,
    ):
        assert model.objects.filter(pgh_label="insert").exists(), model.__name__
    # Ciphertext of ID numbers is not copied into the history.
    assert not any(f.name.endswith("_encrypted") for m in event_models() for f in m._meta.fields)


def test_the_chain_covers_every_event_model_the_apps_declare() -> None:
    """An app's event model left out of AUDIT_EVENT_MODELS would be written but never sealed."""
    declared = [
        model
        for model in apps.get_app_config("audit").get_models()
        if issubclass(model, pghistory.models.Event)
    ]
    assert sorted(m._meta.label for m in event_models()) == sorted(m._meta.label for m in declared)
    assert len(event_models()) == len(settings.AUDIT_EVENT_MODELS) == 6


@pytest.mark.parametrize("statement", ["UPDATE {t} SET pgh_label = 'x'", "DELETE FROM {t}"])
def test_it_refuses_updates_and_deletes_of_audit_rows(statement: str) -> None:
    factories.RegistrationFactory()
    table = RegistrationEvent._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(t=table))
    chain.checkpoint_day(timezone.localdate())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditCheckpoint.objects.update(digest="0" * 64)


def test_it_seals_a_day_and_verifies_the_chain_then_detects_tampering() -> None:
    registration = factories.RegistrationFactory()
    Registration.objects.filter(pk=registration.pk).update(address="岚山区某路2号")
    today = timezone.localdate()
    sealed = chain.checkpoint_through(today)
    assert [c.day for c in sealed] == [today]
    assert sealed[0].event_count >= 2
    assert chain.checkpoint_day(today) == sealed[0]  # idempotent
    call_command("verify_audit_chain")  # intact: no error

    event = RegistrationEvent.objects.filter(pgh_obj_id=registration.pk).latest("pgh_id")
    maintenance(
        f"UPDATE {RegistrationEvent._meta.db_table} SET address = %s WHERE pgh_id = %s",
        ["篡改的地址", event.pgh_id],
    )
    report = chain.verify_chain()
    assert not report.ok and "events differ" in report.problems[0]
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit_chain")


def test_it_detects_a_deleted_event_and_a_rewritten_checkpoint() -> None:
    factories.RegistrationFactory()
    today = timezone.localdate()
    chain.checkpoint_day(today - timedelta(days=1))
    chain.checkpoint_day(today)
    assert chain.verify_chain().ok
    maintenance(f"DELETE FROM {RegistrationEvent._meta.db_table}")
    assert not chain.verify_chain().ok
    maintenance(
        "UPDATE audit_auditcheckpoint SET digest = %s WHERE day = %s",
        ["f" * 64, today - timedelta(days=1)],
    )
    assert any("link" in p for p in chain.verify_chain().problems)


def test_it_purges_only_sealed_events_past_retention_and_the_chain_still_verifies(
    settings: Any,
) -> None:
    settings.AUDIT_RETENTION_DAYS = 184
    old_day = timezone.localdate() - timedelta(days=200)
    registration = factories.RegistrationFactory()
    maintenance(
        f"UPDATE {RegistrationEvent._meta.db_table} SET pgh_created_at = pgh_created_at - "
        "interval '200 days' WHERE pgh_obj_id = %s",
        [registration.pk],
    )
    factories.RegistrationFactory()  # today's event, kept
    assert chain.purge_expired_events() == 0  # nothing sealed yet: nothing purged
    chain.checkpoint_through(timezone.localdate())
    assert AuditCheckpoint.objects.filter(day=old_day).exists()
    assert chain.purge_expired_events() == 1
    assert RegistrationEvent.objects.count() == 1
    assert chain.verify_chain().ok
    # Outside the purge the switch is off again: the rows are append-only once more.
    with pytest.raises(DatabaseError), transaction.atomic():
        RegistrationEvent.objects.all().delete()


@pytest.mark.parametrize(("days", "errors"), [(183, ["audit.E001"]), (184, []), (400, [])])
def test_it_requires_at_least_184_days_of_retention(
    settings: Any, days: int, errors: list[str]
) -> None:
    settings.AUDIT_RETENTION_DAYS = days
    found = [m.id for m in run_checks() if m.id and m.id.startswith("audit.")]
    assert found == errors


def test_it_logs_every_reveal_of_a_full_id_number(registrar: User) -> None:
    registration = factories.SubmittedRegistrationFactory()
    number = reveal_id_number(
        registration, "legal_representative_id_encrypted", actor=registrar, reason="核对法定代表人"
    )
    assert number == ID
    log = IdNumberAccess.objects.get()
    assert (log.actor, log.model, log.object_id, log.reason) == (
        registrar,
        "registry.registration",
        str(registration.pk),
        "核对法定代表人",
    )


def test_it_refuses_reveals_without_need_jurisdiction_or_reason(
    operator: User, other_registrar: User, registrar: User, finance_officer: User
) -> None:
    registration = factories.SubmittedRegistrationFactory()
    field = "legal_representative_id_encrypted"
    for actor in (operator, finance_officer, other_registrar):
        with pytest.raises(NotPermitted):
            reveal_id_number(registration, field, actor=actor, reason="x")
    with pytest.raises(DomainError):
        reveal_id_number(registration, field, actor=registrar, reason="  ")
    with pytest.raises(DomainError):
        reveal_id_number(registration, "legal_representative_name", actor=registrar, reason="x")
    assert not IdNumberAccess.objects.exists()


def test_it_offers_a_logged_reveal_action_in_the_admin(db: None) -> None:
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    registration = factories.SubmittedRegistrationFactory()
    client = Client(REMOTE_ADDR="192.0.2.44")
    client.force_login(admin)
    response = client.post(
        "/admin/registry/registration/",
        {"action": "reveal_id_numbers", "_selected_action": [registration.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ID in response.content.decode()
    log = IdNumberAccess.objects.get()
    assert (
        log.actor == admin
        and log.ip == "192.0.2.44"
        and log.path == "/admin/registry/registration/"
    )
