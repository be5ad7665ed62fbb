"""The demo seed shows two living counties: a year of activity in 岚山 and 襄汾, every
state reached through the services, idempotent and deterministic.

Seeding takes seconds, so it runs once for the module inside one rolled-back transaction; each
test then reads that data (in its own savepoint).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Model
from django.utils import timezone

from inspections.models import (
    Complaint,
    ComplaintStatus,
    EnforcementAction,
    Finding,
    FindingStatus,
    Inspection,
    Severity,
)
from registry.demo import plan as demo
from registry.models import (
    ChangeStatus,
    DocumentKind,
    Filing,
    FilingChange,
    FilingDocument,
    FilingStatus,
    FilingTransition,
    HealthInboxEntry,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
)
from subsidies.models import BatchStatus, Claim, ClaimStatus, PaymentBatch, SchemeKind
from tests.demo_seed import seeded_demo
from tuoyu_portal.accounts.management.commands.seed_demo import DEMO_USERS
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exchange.models import DeliveryAttempt, OutboxEvent
from tuoyu_portal.notifications.models import Notification

COUNTIES = ("371103", "141023")
COUNTED: list[type[Model]] = [
    User,
    Registration,
    RegistrationTransition,
    Filing,
    FilingTransition,
    FilingDocument,
    FilingChange,
    OutboxEvent,
    DeliveryAttempt,
    HealthInboxEntry,
    Inspection,
    Finding,
    Complaint,
    EnforcementAction,
    Claim,
    PaymentBatch,
    Notification,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def seeded(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    """seed_demo twice (once in the shared helper, once more here), for the whole module."""

    def again() -> dict[str, Any]:
        first = _counts()
        call_command("seed_demo", "--force", stdout=io.StringIO())
        return {"first": first, "second": _counts()}

    with seeded_demo(django_db_blocker, tmp_path_factory.mktemp("demo-media"), again) as result:
        assert result is not None
        yield result


pytestmark = pytest.mark.django_db


def test_a_second_seeding_changes_no_row_count(seeded: dict[str, Any]) -> None:
    assert seeded["first"] == seeded["second"]
    assert seeded["first"]["Registration"] >= 80


def test_the_plan_is_deterministic_and_the_database_follows_it(seeded: dict[str, Any]) -> None:
    today = timezone.localdate()
    plan = demo.build_plan(today)
    again = demo.build_plan(today)
    assert [(p.name, p.scenario, p.steps) for p in plan] == [
        (p.name, p.scenario, p.steps) for p in again
    ]
    assert len({(p.county, p.name) for p in plan}) == len(plan)  # names unique per county
    for county in COUNTIES:
        assert 38 <= sum(p.county == county for p in plan) <= 45
    statuses = dict(Registration.objects.values_list("name", "status"))
    expected = {
        "registration_draft": RegistrationStatus.DRAFT,
        "registration_submitted": RegistrationStatus.SUBMITTED,
        "registration_returned": RegistrationStatus.RETURNED,
        "registration_rejected": RegistrationStatus.REJECTED,
        "registration_cancelled": RegistrationStatus.CANCELLED,
    }
    for planned in plan:
        assert statuses[planned.name] == expected.get(
            planned.scenario, RegistrationStatus.APPROVED
        ), planned.name


def test_every_approved_registration_went_through_the_push(seeded: dict[str, Any]) -> None:
    approved = Registration.objects.filter(approved_on__isnull=False)
    assert approved.count() >= 60
    for reg in approved:
        event = OutboxEvent.objects.get(event_type="registration.approved", aggregate_id=reg.pk)
        assert event.state == OutboxEvent.State.SENT
        assert DeliveryAttempt.objects.filter(event=event, ok=True).exists()
        entry = HealthInboxEntry.objects.get(idempotency_key=event.idempotency_key)
        assert entry.registration_id == reg.pk and entry.event == "approved"
    # Nothing reached the inbox around the outbox.
    keys = {str(k) for k in OutboxEvent.objects.values_list("idempotency_key", flat=True)}
    assert {str(k) for k in HealthInboxEntry.objects.values_list("idempotency_key", flat=True)} <= (
        keys
    )
    assert not OutboxEvent.objects.exclude(state=OutboxEvent.State.SENT).exists()


def test_every_registration_filing_and_change_state_is_in_both_counties(
    seeded: dict[str, Any],
) -> None:
    for county in COUNTIES:
        registrations = set(
            Registration.objects.filter(region_id=county).values_list("status", flat=True)
        )
        assert registrations == set(RegistrationStatus.values)
        filings = set(Filing.objects.filter(region_id=county).values_list("status", flat=True))
        assert filings == set(FilingStatus.values)
        changes = set(
            FilingChange.objects.filter(filing__region_id=county).values_list("status", flat=True)
        )
        assert {
            ChangeStatus.SUBMITTED,
            ChangeStatus.SUPPLEMENT_REQUESTED,
            ChangeStatus.ACCEPTED,
        } <= (changes)
        # One suspended: an order to stop service in force today.
        suspended = EnforcementAction.objects.filter(
            region_id=county, kind="stop_service", in_force_until__gt=timezone.localdate()
        )
        assert suspended.count() == 1
        # Registered but not filed: in the inbox with no filing.
        assert (
            HealthInboxEntry.objects.filter(region_id=county, event="approved")
            .exclude(credit_code__in=Filing.objects.values("institution__credit_code"))
            .exists()
        )


def test_supervision_has_every_severity_and_outcome_and_every_complaint_state(
    seeded: dict[str, Any],
) -> None:
    today = timezone.localdate()
    for county in COUNTIES:
        findings = Finding.objects.filter(region_id=county)
        assert set(findings.values_list("severity", flat=True)) == set(Severity.values)
        assert set(findings.values_list("status", flat=True)) == set(FindingStatus.values)
        assert findings.filter(status=FindingStatus.OPEN, deadline__lt=today).exists()  # overdue
        complaints = Complaint.objects.filter(region_id=county)
        assert set(complaints.values_list("status", flat=True)) == set(ComplaintStatus.values)
        assert Inspection.objects.filter(region_id=county).count() >= 15
    inspector = User.objects.get(username="inspector")
    assert inspector.is_staff and inspector.has_perm("inspections.add_inspection")


def test_subsidy_claims_of_every_kind_in_every_state_and_a_paid_batch(
    seeded: dict[str, Any],
) -> None:
    pairs = set(Claim.objects.filter(region_id="371103").values_list("kind", "status"))
    assert pairs == {(k, s) for k in SchemeKind.values for s in ClaimStatus.values}
    batch = PaymentBatch.objects.get(region_id="371103")
    assert batch.status == BatchStatus.PAID
    assert set(batch.claims.values_list("status", flat=True)) == {ClaimStatus.PAID}


def test_the_activity_is_spread_over_the_past_year(seeded: dict[str, Any]) -> None:
    now = timezone.now()
    created = Registration.objects.values_list("created_at", flat=True)
    assert min(created) >= now - timedelta(days=366)
    assert max(created) <= now
    assert (max(created) - min(created)).days >= 200
    # Filing numbers were taken in date order, as acceptance on those days would have.
    for county in COUNTIES:
        for year in {f.year for f in Filing.objects.dates("filed_on", "year")}:
            numbered = list(
                Filing.objects.filter(region_id=county, filed_on__year=year)
                .order_by("filing_number")
                .values_list("filed_on", flat=True)
            )
            assert numbered == sorted(numbered)


def test_the_demo_users_keep_names_roles_and_password(
    seeded: dict[str, Any], settings: Any
) -> None:
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec["username"])
        assert (user.role, user.region_id) == (spec["role"], spec["region"])
        assert user.check_password(settings.DEMO_PASSWORD)
    # Their inboxes and queues have something to show.
    operator = User.objects.get(username="operator")
    assert Notification.objects.filter(recipient=operator).exists()
    assert Registration.objects.visible_to(operator).count() >= 6
    kinds = Notification.objects.values("kind").annotate(n=Count("id"))
    assert len(kinds) >= 3
    # What a person reads names materials in words, never by their codes.
    codes = set(DocumentKind.values)
    for body in Notification.objects.values_list("body", flat=True):
        assert not any(code in body for code in codes), body


def test_an_earlier_approval_without_a_push_is_pushed_by_the_service(db: None) -> None:
    """The thin demo wrote two approved registrations around the service; seeding repairs such
    rows through the service's own push and the delivery code."""
    from tests import factories

    reg = factories.ApprovedRegistrationFactory(
        institution=factories.InstitutionFactory(region_id="371103"), region_id="371103"
    )
    assert demo.push_unpushed_approvals(["371103"]) == 1
    event = OutboxEvent.objects.get(event_type="registration.approved", aggregate_id=reg.pk)
    assert event.state == OutboxEvent.State.SENT
    assert HealthInboxEntry.objects.filter(registration=reg, event="approved").exists()
    assert demo.push_unpushed_approvals(["371103"]) == 0  # once only
