"""Outbox delivery: claim, deliver, backoff, dead letter, resend, sweep (local backend)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from registry.models import HealthInboxEntry
from tests.exchange.helpers import approved_event
from tuoyu_portal.exceptions import InvalidTransition
from tuoyu_portal.exchange import backends, services
from tuoyu_portal.exchange.models import DeliveryAttempt, OutboxEvent, OutboxResend

pytestmark = pytest.mark.django_db

State = OutboxEvent.State


@pytest.fixture
def failing_backend(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A backend that fails (a real receiver refusing), counting calls."""
    calls: list[int] = []

    def deliver(event: OutboxEvent) -> int | None:
        calls.append(event.pk)
        raise backends.DeliveryError("HTTP 503: 维护中", http_status=503)

    monkeypatch.setitem(backends.BACKENDS, "failing", deliver)
    return calls


def test_it_delivers_once_to_the_local_inbox_and_records_the_attempt() -> None:
    event = approved_event()
    assert services.deliver_event(event.pk) == "sent"
    assert services.deliver_event(event.pk) == "skipped"  # called twice → one delivery
    event.refresh_from_db()
    assert event.state == State.SENT and event.attempts == 1 and event.sent_at
    entry = HealthInboxEntry.objects.get(idempotency_key=str(event.idempotency_key))
    assert entry.receipts == 1 and entry.registration_id == event.aggregate_id
    attempt = DeliveryAttempt.objects.get(event=event)
    assert attempt.ok and attempt.number == 1 and attempt.backend == "local"


def test_it_skips_rows_that_are_not_due_or_claimed_by_someone_else() -> None:
    event = approved_event()
    OutboxEvent.objects.filter(pk=event.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert services.deliver_event(event.pk) == "skipped"
    OutboxEvent.objects.filter(pk=event.pk).update(
        state=State.SENDING, next_attempt_at=timezone.now()
    )
    assert services.deliver_event(event.pk) == "skipped"
    assert not HealthInboxEntry.objects.exists()


def test_it_backs_off_exponentially_with_a_cap(settings: Any, failing_backend: list[int]) -> None:
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 10
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 35
    settings.OUTBOX_MAX_ATTEMPTS = 10
    event = approved_event()
    delays = []
    for _ in range(4):
        before = timezone.now()
        assert services.deliver_event(event.pk, backend="failing") == "retry"
        event.refresh_from_db()
        delays.append(round((event.next_attempt_at - before).total_seconds()))
        assert event.state == State.PENDING and "503" in event.last_error
        OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    assert delays == [10, 20, 35, 35], delays
    attempts = list(DeliveryAttempt.objects.filter(event=event).values_list("number", "ok"))
    assert attempts == [(1, False), (2, False), (3, False), (4, False)]
    assert DeliveryAttempt.objects.filter(event=event, http_status=503).count() == 4


def test_it_dead_letters_after_the_maximum_attempts(
    settings: Any, failing_backend: list[int]
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    event = approved_event()
    outcomes = []
    for _ in range(3):
        outcomes.append(services.deliver_event(event.pk, backend="failing"))
        OutboxEvent.objects.filter(pk=event.pk, state=State.PENDING).update(
            next_attempt_at=timezone.now()
        )
    assert outcomes == ["retry", "retry", "dead"]
    assert services.deliver_event(event.pk, backend="failing") == "skipped"
    event.refresh_from_db()
    assert event.state == State.DEAD and len(failing_backend) == 3


def test_it_turns_a_receiver_crash_into_a_recorded_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = approved_event()
    event.payload["region"] = "999999"  # unknown county: the receiver raises
    OutboxEvent.objects.filter(pk=event.pk).update(payload=event.payload)
    assert services.deliver_event(event.pk) == "retry"
    attempt = DeliveryAttempt.objects.get(event=event)
    assert not attempt.ok and attempt.error


def test_it_resends_a_dead_event_with_an_audit_row(
    settings: Any, failing_backend: list[int], county_reviewer: Any
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 1
    event = approved_event()
    assert services.deliver_event(event.pk, backend="failing") == "dead"
    services.resend_event(event, actor=county_reviewer)
    event.refresh_from_db()
    assert event.state == State.PENDING and event.attempts == 0
    assert OutboxResend.objects.get(event=event).from_state == State.DEAD
    assert services.deliver_event(event.pk) == "sent"


@pytest.mark.parametrize("state", [State.PENDING, State.SENDING])
def test_it_refuses_to_resend_an_event_in_flight(state: str) -> None:
    event = approved_event()
    OutboxEvent.objects.filter(pk=event.pk).update(state=state)
    with pytest.raises(InvalidTransition) as refused:
        services.resend_event(event, actor=None)
    assert not OutboxResend.objects.exists()
    message = str(refused.value.violations[0].message)
    assert str(State(state).label) in message and str(State.PENDING.label) in message
    assert f"“{state}”" not in message and "“pending”" not in message


def test_it_applies_a_resent_sent_event_only_once() -> None:
    event = approved_event()
    services.deliver_event(event.pk)
    services.resend_event(event, actor=None)
    assert services.deliver_event(event.pk) == "sent"
    entry = HealthInboxEntry.objects.get()
    assert entry.receipts == 2  # delivered twice, applied once


def test_it_sweeps_due_and_stale_rows_but_not_fresh_claims(settings: Any) -> None:
    settings.OUTBOX_STALE_SECONDS = 60
    due, stale, fresh, later = (approved_event() for _ in range(4))
    OutboxEvent.objects.filter(pk=stale.pk).update(
        state=State.SENDING, claimed_at=timezone.now() - timedelta(minutes=5), attempts=1
    )
    OutboxEvent.objects.filter(pk=fresh.pk).update(state=State.SENDING, claimed_at=timezone.now())
    OutboxEvent.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    dispatched: list[int] = []
    result = services.sweep_outbox(dispatch=dispatched.append)
    assert result == {"reset": 1, "due": 2, "dispatched": 2}
    assert sorted(dispatched) == sorted([due.pk, stale.pk])
    for event_id in dispatched * 2:  # each task twice: delivered once
        services.deliver_event(event_id)
    assert HealthInboxEntry.objects.count() == 2
    assert all(e.receipts == 1 for e in HealthInboxEntry.objects.all())
    # A late finish by the worker that lost its claim changes nothing.
    assert OutboxEvent.objects.get(pk=fresh.pk).state == State.SENDING


def test_it_sweeps_in_bounded_batches(settings: Any) -> None:
    settings.OUTBOX_SWEEP_BATCH = 3
    for _ in range(5):
        approved_event()
    dispatched: list[int] = []
    assert services.sweep_outbox(dispatch=dispatched.append)["due"] == 3


def test_it_stops_a_sweep_when_the_broker_is_down() -> None:
    approved_event()
    approved_event()

    def broken(event_id: int) -> None:
        raise ConnectionError("redis down")

    assert services.sweep_outbox(dispatch=broken)["dispatched"] == 0
    assert OutboxEvent.objects.filter(state=State.PENDING).count() == 2
