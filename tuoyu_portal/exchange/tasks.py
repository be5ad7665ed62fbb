"""Thin Celery tasks and the non-blocking publisher used on the request path."""

from __future__ import annotations

import logging
import queue
import threading

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="tuoyu_portal.exchange.tasks.deliver_outbox_event", acks_late=True)
def deliver_outbox_event(event_id: int) -> str:
    return services.deliver_event(event_id)


@shared_task(name="tuoyu_portal.exchange.tasks.sweep_outbox", acks_late=True)
def sweep_outbox() -> dict[str, int]:
    return services.sweep_outbox()


def publish_delivery(event_id: int) -> None:
    """Publish one delivery task, failing fast (no publish retries, short socket timeouts)."""
    deliver_outbox_event.apply_async((event_id,), retry=False)


# The request path hands event ids to this queue and returns at once; one daemon thread publishes.
# A stopped or hung Redis only delays that thread (and a full queue drops ids): the row is in
# the database either way and the beat sweep delivers it later.
_QUEUE: queue.Queue[int] = queue.Queue(maxsize=10_000)
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def _publisher(ids: queue.Queue[int]) -> None:
    while True:
        event_id = ids.get()
        try:
            publish_delivery(event_id)
        except Exception as exc:  # broker down or hung: the sweep will pick the row up
            logger.warning("outbox event %s: publish failed (%s); sweep will retry", event_id, exc)
        finally:
            ids.task_done()


def schedule_delivery(event_id: int) -> None:
    """Never blocks and never raises: used from transaction.on_commit in request handlers."""
    global _thread
    try:
        if _thread is None or not _thread.is_alive():
            with _thread_lock:
                if _thread is None or not _thread.is_alive():
                    _thread = threading.Thread(
                        target=_publisher, args=(_QUEUE,), name="outbox-publisher", daemon=True
                    )
                    _thread.start()
        _QUEUE.put_nowait(event_id)
    except Exception:
        logger.warning("outbox event %s: not queued for publishing; sweep will deliver", event_id)
