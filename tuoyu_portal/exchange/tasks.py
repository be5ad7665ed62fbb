"""Thin Celery tasks: delivery of one outbox event and the beat sweep (publisher.py publishes)."""

from __future__ import annotations

from celery import shared_task

from . import services
from .publisher import DELIVER_TASK


@shared_task(name=DELIVER_TASK, acks_late=True)
def deliver_outbox_event(event_id: int) -> str:
    return services.deliver_event(event_id)


@shared_task(name="tuoyu_portal.exchange.tasks.sweep_outbox", acks_late=True)
def sweep_outbox() -> dict[str, int]:
    return services.sweep_outbox()
