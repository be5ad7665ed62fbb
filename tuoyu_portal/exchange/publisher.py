"""The non-blocking publisher of delivery tasks used on the request path.

It names the delivery task rather than importing it, so the services can schedule deliveries
and the tasks can call the services without an import cycle."""

from __future__ import annotations

from tuoyu_portal.background import TaskPublisher
from tuoyu_portal.celery import app

DELIVER_TASK = "tuoyu_portal.exchange.tasks.deliver_outbox_event"


def publish_delivery(event_id: int) -> None:
    """Publish one delivery task, failing fast (no publish retries, short socket timeouts)."""
    app.signature(DELIVER_TASK, args=(event_id,)).apply_async(retry=False)


# The request path hands event ids to this publisher and returns at once (tuoyu_portal.background).
PUBLISHER = TaskPublisher("outbox-publisher")


def schedule_delivery(event_id: int) -> None:
    """Never blocks and never raises: used from transaction.on_commit in request handlers."""
    PUBLISHER.publish(DELIVER_TASK, event_id)
