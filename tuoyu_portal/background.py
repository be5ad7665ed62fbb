"""Queue Celery tasks from the request path without ever waiting on the broker.

A request hands (task name, arguments) to a bounded in-memory queue and returns at once; one daemon
thread per publisher publishes them, failing fast (no publish retries, short socket timeouts). A
stopped or hung Redis only delays that thread, and a full queue drops the item: whatever is to be
done is already in PostgreSQL (an outbox row, an unsent notification, a dirty dataset) and the
caller's beat sweep does it later. Tasks are named rather than imported, so a service can queue
the task that calls it without an import cycle.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from django.db import transaction

from tuoyu_portal.celery import app

log = logging.getLogger(__name__)


class TaskPublisher:
    def __init__(self, name: str, maxsize: int = 10_000) -> None:
        self.name = name
        self.queue: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue(maxsize=maxsize)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Items handed over and not yet published (or given up)."""
        return self.queue.unfinished_tasks

    def publish(self, task_name: str, *args: Any) -> None:
        """Never blocks and never raises."""
        try:
            if self._thread is None or not self._thread.is_alive():
                with self._lock:
                    if self._thread is None or not self._thread.is_alive():
                        self._thread = threading.Thread(
                            target=self._run, args=(self.queue,), name=self.name, daemon=True
                        )
                        self._thread.start()
            self.queue.put_nowait((task_name, args))
        except Exception:
            log.warning("%s%r not queued for publishing; its sweep will catch up", task_name, args)

    def _run(self, items: queue.Queue[tuple[str, tuple[Any, ...]]]) -> None:
        # Bound to the queue it was started with: task_done must go to the queue get came from.
        while True:
            task_name, args = items.get()
            try:
                app.signature(task_name, args=args).apply_async(retry=False)
            except Exception as exc:  # broker down or hung: the sweep picks it up
                log.warning(
                    "%s%r: publish failed (%s); its sweep will catch up", task_name, args, exc
                )
            finally:
                items.task_done()


# Rare events of the apps (a watch confirmed, a dataset to rebuild, an attendance request).
EVENTS = TaskPublisher("task-publisher")


def publish_in_background(task_name: str, *args: Any) -> None:
    EVENTS.publish(task_name, *args)


def enqueue_after_commit(task_name: str, *args: Any) -> None:
    """After commit, publish the task named `task_name` without blocking."""
    transaction.on_commit(lambda: EVENTS.publish(task_name, *args))
