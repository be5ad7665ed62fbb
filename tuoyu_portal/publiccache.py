"""A short-lived cache of the public register's anonymous JSON answers.

Parents searching the register are the one audience that grows with the population, not with
the number of officials; the same few queries (a district, a brand, "普惠") repeat all day. The
first answer passes through the whole stack and is stored with its headers for
``PUBLIC_CACHE_SECONDS``; repeats are served by this outermost middleware from Redis — the role
an nginx micro-cache would play in front, kept in the application so that `make run` and the
benchmark have it too. Rate limits still count every request. A change to any filing or
institution bumps a version number, so a new filing is searchable at once, not after the TTL.
Requests with credentials (token, session cookie) are never cached or served from the cache;
the language asked for (header or cookie) is part of the key.

Redis is never on the critical path: the bump runs after the commit (a bump
inside the transaction also let a concurrent reader store the old rows under the new version),
and every cache call fails open through ``failopen``. A bump lost to an outage is retried before
the next read of the cache in this process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from tuoyu_portal import failopen
from tuoyu_portal.ratelimit import client_ip, hit, throttled_response

VERSION_KEY = "public-cache:version"
_bump_pending = False


def _incr_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted)
        cache.set(VERSION_KEY, 1, timeout=None)


def bump_now() -> bool:
    """Make older answers unreachable now; False (and retried later) when Redis is unreachable."""
    global _bump_pending
    _result, ok = failopen.call(_incr_version, None, "public-cache bump")
    _bump_pending = not ok
    return ok


def bump_version(**_kwargs: Any) -> None:
    """Signal receiver: any saved or deleted filing/institution makes older answers unreachable,
    once its transaction has committed (at once outside a transaction)."""
    transaction.on_commit(bump_now, robust=True)


class PublicResponseCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.paths: dict[str, str] = dict(getattr(settings, "PUBLIC_CACHE_PATHS", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = int(getattr(settings, "PUBLIC_CACHE_SECONDS", 0))
        scope = self.paths.get(request.path_info)
        if (
            not seconds
            or scope is None
            or request.method != "GET"
            or "HTTP_AUTHORIZATION" in request.META
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return self.get_response(request)
        if _bump_pending and not bump_now():
            return self.get_response(request)  # cannot tell fresh from stale: answer afresh
        key = self._key(request)
        # One round trip for the version and the answer; an answer of another version is stale.
        found, reachable = failopen.call(
            lambda: cache.get_many([VERSION_KEY, key]), {}, "public-cache read"
        )
        if not reachable:
            return self.get_response(request)
        version = found.get(VERSION_KEY) or 0
        stored = found.get(key)
        if stored is None or stored[0] != version:
            response = self.get_response(request)
            if response.status_code == 200 and not response.cookies and not response.streaming:
                entry = (version, response.content, list(response.headers.items()))
                failopen.call(
                    lambda: cache.set(key, entry, timeout=seconds), None, "public-cache write"
                )
            return response
        rate = getattr(settings, "PUBLIC_RATE_LIMITS", {}).get(scope)
        if rate:
            allowed, retry_after = hit(scope, client_ip(request), rate)
            if not allowed:
                return throttled_response(request, retry_after)
        _version, content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return response

    @staticmethod
    def _key(request: HttpRequest) -> str:
        # The answer may depend on the language asked for; nothing else about the client.
        varies = "|".join(
            (
                request.get_full_path(),
                request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
                request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
            )
        )
        return "public-cache:" + hashlib.sha256(varies.encode()).hexdigest()
