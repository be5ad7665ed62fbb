"""Delivering the outbox: claim by conditional UPDATE, deliver outside transactions, record.

Delivery is at-least-once (a worker can die after the receiver applied the event but before we
mark it sent); the receiver de-duplicates by idempotency key, so each event applies exactly once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.exceptions import InvalidTransition

from .backends import DeliveryError, get_backend
from .models import DeliveryAttempt, OutboxEvent, OutboxResend
from .publisher import publish_delivery, schedule_delivery

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User

logger = logging.getLogger(__name__)

State = OutboxEvent.State


def backoff_delay(attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base … capped, so a long outage is retried hourly at most."""
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS
    seconds = min(base * (2 ** max(attempts - 1, 0)), settings.OUTBOX_BACKOFF_CAP_SECONDS)
    return timedelta(seconds=seconds)


def deliver_event(event_id: int, *, backend: str | None = None) -> str:
    """Deliver one due event. Returns "sent", "retry", "dead" or "skipped" (not ours to send).

    Safe to call any number of times, concurrently: only the caller whose conditional UPDATE
    moves the row pending → sending delivers it.

    The delivery's own commits (claim, local inbox row, attempt, mark sent) do not wait for the
    WAL flush (`synchronous_commit = off`): three fsyncs were most of a delivery's time (bench/'s
    push figures). A crash can lose only the last fraction of a second of them, and in WAL order,
    so what is lost is a suffix — at worst the event is back to pending and is delivered again,
    which the idempotency key makes harmless. The approval that wrote the event stays durable.
    """
    with _relaxed_commits():
        return _deliver(event_id, backend)


@contextmanager
def _relaxed_commits() -> Iterator[None]:
    if connection.in_atomic_block:  # a caller's transaction decides its own durability
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")


def _deliver(event_id: int, backend: str | None) -> str:
    claimed_at = timezone.now()
    claimed = OutboxEvent.objects.filter(
        pk=event_id, state=State.PENDING, next_attempt_at__lte=claimed_at
    ).update(state=State.SENDING, attempts=F("attempts") + 1, claimed_at=claimed_at)
    if not claimed:
        return "skipped"
    # Autocommit: the claim is committed before any network I/O, and no lock is held below.
    event = OutboxEvent.objects.get(pk=event_id)
    backend_name, deliver = get_backend(backend)
    started = timezone.now()
    clock = time.monotonic()
    http_status: int | None = None
    error = ""
    try:
        http_status = deliver(event)
    except DeliveryError as exc:
        error, http_status = str(exc), exc.http_status
    except Exception as exc:  # a receiver bug must dead-letter, not kill the worker loop
        logger.exception("outbox event %s: delivery raised", event_id)
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - clock) * 1000)
    return _record(event, claimed_at, started, duration_ms, backend_name, http_status, error)


def _record(
    event: OutboxEvent,
    claimed_at: datetime,
    started: datetime,
    duration_ms: int,
    backend_name: str,
    http_status: int | None,
    error: str,
) -> str:
    now = timezone.now()
    # Only our own claim may be settled: if the sweep declared us stale and another worker
    # re-claimed the row, `claimed_at` differs and these updates touch nothing.
    ours = OutboxEvent.objects.filter(pk=event.pk, state=State.SENDING, claimed_at=claimed_at)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            event=event,
            number=event.attempts,
            started_at=started,
            finished_at=now,
            ok=not error,
            error=error[:4000],
            http_status=http_status,
            duration_ms=duration_ms,
            backend=backend_name,
        )
        if not error:
            ours.update(state=State.SENT, sent_at=now, last_error="")
            return "sent"
        if event.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            ours.update(state=State.DEAD, last_error=error[:4000])
            logger.error("outbox event %s dead after %s attempts", event.pk, event.attempts)
            return "dead"
        ours.update(
            state=State.PENDING,
            next_attempt_at=now + backoff_delay(event.attempts),
            last_error=error[:4000],
        )
        return "retry"


@transaction.atomic
def resend_event(event: OutboxEvent, *, actor: User | None) -> OutboxEvent:
    """Put a dead (or already sent) event back in the queue now, with a fresh attempt budget.

    Re-sending a sent event is harmless: the receiver answers "duplicate" for a known key.
    """
    event = OutboxEvent.objects.select_for_update().get(pk=event.pk)
    if event.state not in (State.DEAD, State.SENT):
        # The message is read by people: the states by their labels, never their codes.
        raise InvalidTransition(str(State(event.state).label), str(State.PENDING.label))
    OutboxResend.objects.create(event=event, actor=actor, from_state=event.state)
    event.state = State.PENDING
    event.attempts = 0
    event.next_attempt_at = timezone.now()
    event.claimed_at = None
    event.save(update_fields=["state", "attempts", "next_attempt_at", "claimed_at"])
    transaction.on_commit(lambda: _schedule(event.pk))
    return event


def _schedule(event_id: int) -> None:
    schedule_delivery(event_id)


def sweep_outbox(dispatch: Callable[[int], object] | None = None) -> dict[str, int]:
    """Re-queue work the broker may have lost, in bounded batches (called by beat every 30 s).

    1. `sending` rows claimed longer ago than OUTBOX_STALE_SECONDS: the worker died mid-delivery;
       reset them to `pending` (state-filtered, so a delivery that just finished wins).
    2. due `pending` rows: hand each id to `dispatch` (default: publish a delivery task).
    """
    now = timezone.now()
    batch = settings.OUTBOX_SWEEP_BATCH
    stale_before = now - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    stale_ids = list(
        OutboxEvent.objects.filter(state=State.SENDING, claimed_at__lt=stale_before)
        .order_by("claimed_at")
        .values_list("pk", flat=True)[:batch]
    )
    reset = 0
    if stale_ids:
        reset = OutboxEvent.objects.filter(
            pk__in=stale_ids, state=State.SENDING, claimed_at__lt=stale_before
        ).update(
            state=State.PENDING, next_attempt_at=now, last_error=str(_("投递中断（进程退出）"))
        )
    due_ids = list(
        OutboxEvent.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    if dispatch is None:
        dispatch = publish_delivery
    dispatched = 0
    for event_id in due_ids:
        try:
            dispatch(event_id)
            dispatched += 1
        except Exception:  # the broker is down: stop, the next sweep tries again
            logger.warning("outbox sweep: dispatch failed, %s left for next sweep", len(due_ids))
            break
    return {"reset": reset, "due": len(due_ids), "dispatched": dispatched}
