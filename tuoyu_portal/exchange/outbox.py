"""Writing to the outbox. Call `enqueue` inside the business transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import OutboxEvent


def enqueue(
    *, event_type: str, region_code: str, aggregate_id: int, payload: dict[str, Any]
) -> OutboxEvent:
    """Record an event for delivery; it commits or rolls back with the caller's transaction.

    After commit a delivery task is scheduled best-effort; if the broker is down the beat sweep
    picks the row up later, so the caller never waits on Redis.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue() must run inside the business transaction")
    event = OutboxEvent.objects.create(
        event_type=event_type, region_id=region_code, aggregate_id=aggregate_id, payload=payload
    )
    transaction.on_commit(lambda: schedule_delivery(event.pk))
    return event


def schedule_delivery(event_id: int) -> None:
    """Hand the event to the publisher (best effort: never blocks, never raises)."""
    from .publisher import schedule_delivery as _schedule

    _schedule(event_id)
