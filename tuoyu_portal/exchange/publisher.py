"""The non-blocking publisher of delivery tasks used on the request path.

It names the delivery task rather than importing it, so the services can schedule deliveries
and the tasks can call the services without an import cycle."""

from __future__ import annotations

import logging
import queue
import threading

from tuoyu_portal.celery import app

logger = logging.getLogger(__name__)

DELIVER_TASK = "tuoyu_portal.exchange.tasks.deliver_outbox_event"


def publish_delivery(event_id: int) -> None:
    """Publish one delivery task, failing fast (no publish retries, short socket timeouts)."""
    app.signature(DELIVER_TASK, args=(event_id,)).apply_async(retry=False)


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
