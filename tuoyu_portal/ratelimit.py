"""Rate limits on the public forms and search (ASVS 2.4.1, 等保 8.1.4.1 c).

Public endpoints are anonymous, so the key is the client address. The limits live in one
setting, ``PUBLIC_RATE_LIMITS`` (``"<url name>:<METHOD>" -> "<count>/<s|m|h|d>"``), applied by a
middleware on the resolved URL name: the feature views need no change, and a new public route
gets a limit by adding one line to the setting. Counting uses Django's cache (Redis in
production, shared by every web process) in fixed windows. While Redis is unreachable the
count fails open to a per-process, in-memory counter (``_LocalCounter``): limits still apply per
process, and no request fails or waits on Redis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from tuoyu_portal import failopen

PERIODS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/m"`` → (20, 60). Also accepts DRF's long forms (``"20/min"``, ``"5/hour"``)."""
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[:1].lower()]


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the address a trusted proxy put in X-Forwarded-For
    (``RATE_LIMIT_PROXY_COUNT`` proxies in front; 0 trusts no header, so it cannot be spoofed)."""
    proxies = int(getattr(settings, "RATE_LIMIT_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


class _LocalCounter:
    """Fixed-window counters in this process's memory: the fallback while Redis is down."""

    MAX_KEYS = 100_000  # bounded: a flood of addresses cannot exhaust memory

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def incr(self, key: str, period: int) -> int:
        now = time.monotonic()
        with self._lock:
            if len(self._counts) >= self.MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                if len(self._counts) >= self.MAX_KEYS:
                    self._counts.clear()
            count, expires = self._counts.get(key, (0, now + period + 1))
            if expires <= now:
                count, expires = 0, now + period + 1
            self._counts[key] = (count + 1, expires)
            return count + 1

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


local_counter = _LocalCounter()


def _shared_incr(cache_key: str, period: int) -> int:
    # add() is atomic on Redis and locmem: the first request of a window creates the counter.
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        return 1


def hit(scope: str, key: str, rate: str) -> tuple[bool, int]:
    """Count one request; (allowed, seconds until the window ends)."""
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    count, shared = failopen.call(lambda: _shared_incr(cache_key, period), 0, "rate limit")
    if not shared:
        count = local_counter.incr(cache_key, period)
    return count <= limit, period - (now % period)


def throttled_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = _("请求过于频繁，请稍后再试。")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"errors": [{"code": "throttled", "message": message, "field": None}]}, status=429
        )
    else:
        response = HttpResponse(
            f"<!doctype html><html lang=zh-hans><meta charset=utf-8><title>{message}</title>"
            f"<p>{message}</p></html>",
            status=429,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(retry_after)
    return response


class PublicRateLimitMiddleware:
    """Applies ``PUBLIC_RATE_LIMITS`` by URL name and method, per client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not match.url_name:
            return None
        scope = f"{match.url_name}:{request.method}"
        rate = getattr(settings, "PUBLIC_RATE_LIMITS", {}).get(scope)
        if not rate:
            return None
        allowed, retry_after = hit(scope, client_ip(request), rate)
        return None if allowed else throttled_response(request, retry_after)
