"""Queue a Celery task after commit without ever failing the request (issue 23 helpers)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """After commit, `task.delay(*args)`; a broker that is down is logged, not raised: each
    caller's beat sweep picks up the unsent rows (the broker's timeouts keep this short)."""

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            log.warning("%s%r not queued; its sweep will catch up", task.name, args, exc_info=True)

    transaction.on_commit(send)
