"""Calls to the shared cache (Redis) that fail open: no request waits on, or fails with, Redis.

The cache only speeds things up (the public-register answers) or counts (rate limits); the
database stays the record. So a stopped Redis (connection refused) or a frozen one (socket
timeout, ``CACHES`` options) gives the caller its fallback value instead of an exception. After
one failure the breaker stays open for ``CACHE_BREAKER_SECONDS`` in this process: later requests
skip Redis at once instead of each paying the timeout again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_open_until = 0.0


def breaker_seconds() -> float:
    return float(getattr(settings, "CACHE_BREAKER_SECONDS", 5.0))


def is_open() -> bool:
    """True while Redis is presumed unreachable (a recent call failed)."""
    return time.monotonic() < _open_until


def trip() -> None:
    global _open_until
    with _lock:
        _open_until = time.monotonic() + breaker_seconds()


def reset() -> None:
    """Close the breaker (tests; Redis presumed reachable again)."""
    global _open_until
    with _lock:
        _open_until = 0.0


def call(operation: Callable[[], T], fallback: T, what: str) -> tuple[T, bool]:
    """Run ``operation`` against the cache; (its result, True) or (``fallback``, False).

    Any exception counts as an outage: redis-py raises ConnectionError/TimeoutError, and a
    half-read reply may surface as other errors; none of them may reach the request.
    """
    if is_open():
        return fallback, False
    try:
        return operation(), True
    except Exception as exc:  # noqa: BLE001 - fail open, by design (module docstring)
        trip()
        logger.warning("cache unavailable during %s (%s); failing open", what, type(exc).__name__)
        return fallback, False
