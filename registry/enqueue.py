"""Queue a Celery task after commit without ever failing the request.

Tasks are named rather than imported, so a service can queue the task that calls it without an
import cycle (as tuoyu_portal/exchange/publisher.py does)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction

from tuoyu_portal.celery import app

log = logging.getLogger(__name__)


def publish_in_background(task_name: str, *args: Any) -> None:
    """Publish the task named `task_name` with `args` on a daemon thread: a broker that is down
    or hung never holds up the request (its connect timeout is a second or two); a failure is
    logged and each caller's beat sweep picks up what was not queued. Used for rare events only
    (one thread each)."""

    def send() -> None:
        try:
            app.signature(task_name, args=args).apply_async()
        except Exception:
            log.warning("%s%r not queued; its sweep will catch up", task_name, args, exc_info=True)

    threading.Thread(target=send, name=f"enqueue-{task_name}", daemon=True).start()


def enqueue_after_commit(task_name: str, *args: Any) -> None:
    """After commit, publish the task named `task_name` without blocking
    (publish_in_background)."""
    transaction.on_commit(lambda: publish_in_background(task_name, *args))
