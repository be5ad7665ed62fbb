"""Pointing the Celery app at a given broker URL for a test, and fake broken brokers."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import kombu.pools

from tuoyu_portal.celery import app as celery_app


def _reset_pools() -> None:
    # The producer pool and connection pool are cached on first use; drop them so the next
    # publish connects to the new URL.
    with contextlib.suppress(Exception):
        kombu.pools.reset()  # closes and forgets every pooled connection and producer
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def use_broker(url: str) -> Iterator[None]:
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    _reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        _reset_pools()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def hung_server() -> Iterator[int]:
    """A socket that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()
