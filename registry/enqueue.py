"""Queue a Celery task after commit without ever failing the request."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def publish_in_background(task: Any, *args: Any) -> None:
    """`task.delay(*args)` on a daemon thread: a broker that is down or hung never holds up the
    request (its connect timeout is a second or two); a failure is logged and each caller's
    beat sweep picks up what was not queued. Used for rare events only (one thread each)."""

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            log.warning("%s%r not queued; its sweep will catch up", task.name, args, exc_info=True)

    threading.Thread(target=send, name=f"enqueue-{task.name}", daemon=True).start()


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """After commit, publish `task.delay(*args)` without blocking (publish_in_background)."""
    transaction.on_commit(lambda: publish_in_background(task, *args))
