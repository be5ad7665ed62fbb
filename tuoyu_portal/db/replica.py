"""Reads that may go to a PostgreSQL hot standby (the ``replica`` alias), decided per request.

Only a few pages read from the replica: the anonymous public register, the public statistics,
the open datasets, and the supervisors' dashboards (large, read-only, a few seconds stale is
harmless). Everything else, and every task outside a request, stays on the primary.

- The middleware marks a request; the router sends its reads to the replica only when its URL
  name is on the list for who asks, the replica is fresh enough, and the asker is not pinned.
- A request that wrote reads from the primary from then on, and pins its asker to the primary
  for ``REPLICA_PIN_SECONDS`` (a signed cookie, and for a signed-in user a key in the shared
  cache, so token clients and every web process see it): one's own writes are seen at once.
- Freshness: ``now() - pg_last_xact_replay_timestamp()`` (zero while the standby is streaming
  and has replayed all it received) must not exceed ``REPLICA_MAX_LAG``; checked at most every
  ``REPLICA_CHECK_SECONDS`` per process, with a short connect timeout. A replica that is down,
  lagging or promoted is not used; a query that fails on it re-runs the request on the primary.
- Sign-in data (users, sessions, tokens, second factors, lockouts) is always read from the
  primary: a token issued a moment ago must work on the next request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from tuoyu_portal import failopen

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "tuoyu_primary"
PIN_SALT = "tuoyu_portal.db.replica.pin"

# GETs by anyone not signed in (no session user, no Authorization header).
ANONYMOUS_READS = frozenset(
    {
        "public-search",
        "public-facility",
        "verify",
        "public-facilities-api",
        "public-filing-api",
        "public-stats",
        "public-stats-region-api",
        "public-datasets",
        "public-dataset-file",
    }
)
# GETs by a signed-in supervisor (the province's and city's view from above).
SUPERVISOR_READS = frozenset({"dashboard", "dashboard-export", "stats-region-api"})
PRIMARY_ONLY_APPS = frozenset(
    {"accounts", "auth", "authtoken", "sessions", "otp_totp", "otp_static", "axes"}
)
_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY", "CREATE", "ALTER", "DROP")
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                 AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
            THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
       END
"""


def configured() -> bool:
    return REPLICA in settings.DATABASES


# -- freshness, per process ----------------------------------------------------------------------


@dataclass
class _Health:
    checked_at: float = float("-inf")
    usable: bool = False


_health = _Health()
_health_lock = threading.Lock()


def _check() -> tuple[bool, str]:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as exc:
        connections[REPLICA].close()
        return False, f"unreachable ({type(exc).__name__})"
    in_recovery, lag = row if row else (False, None)
    if not in_recovery:
        return False, "not in recovery (promoted, or not a standby)"
    if lag is None or float(lag) > float(settings.REPLICA_MAX_LAG):
        return False, f"lagging ({lag} s behind)"
    return True, "fresh"


def replica_usable() -> bool:
    """Whether reads may go to the replica now (cached for REPLICA_CHECK_SECONDS)."""
    now = time.monotonic()
    with _health_lock:
        if now - _health.checked_at < float(settings.REPLICA_CHECK_SECONDS):
            usable = _health.usable
            if usable:
                try:  # cheap when connected; a dead connection is replaced here, not mid-query
                    connections[REPLICA].close_if_health_check_failed()
                    connections[REPLICA].ensure_connection()
                except DatabaseError:
                    usable = False
                    _set_health(False, "unreachable", now)
            return usable
        usable, why = _check()
        _set_health(usable, why, now)
        return usable


def _set_health(usable: bool, why: str, now: float) -> None:
    if usable != _health.usable:
        log = logger.info if usable else logger.warning
        log("read replica %s: %s", "in use" if usable else "not used, reads go to the primary", why)
    _health.usable, _health.checked_at = usable, now


def mark_replica_down() -> None:
    with _health_lock:
        _set_health(False, "a query failed", time.monotonic())
    connections[REPLICA].close()


def forget_health() -> None:
    """The next request checks the replica again (tests; after a configuration change)."""
    with _health_lock:
        _health.checked_at, _health.usable = float("-inf"), False


# -- the pin: one's own writes are read from the primary -----------------------------------------


def _pin_key(user_id: Any) -> str:
    return f"replica-pin:user:{user_id}"


def _authenticated_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def pin_to_primary(request: HttpRequest, response: HttpResponse) -> None:
    seconds = int(settings.REPLICA_PIN_SECONDS)
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    user = _authenticated_user(request)
    if user is not None:
        # The time of the write, so that a shorter window applies at once to pins already set.
        written = time.time()
        failopen.call(lambda: cache.set(_pin_key(user.pk), written, seconds), None, "replica pin")


def pinned(request: HttpRequest, user: Any) -> bool:
    seconds = int(settings.REPLICA_PIN_SECONDS)
    if request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT, max_age=seconds):
        return True
    if user is None:
        return False
    # With the shared cache unreachable the pin is unknown: the primary is the safe side.
    now = time.time()
    written, _reached = failopen.call(lambda: cache.get(_pin_key(user.pk)), now, "replica pin")
    return written is not None and now - float(written) < seconds


# -- per request --------------------------------------------------------------------------------


@dataclass
class RequestReads:
    request: HttpRequest | None
    decided: bool = False
    use_replica: bool = False
    wrote: bool = False
    replica_failed: bool = False

    def decide(self) -> bool:
        """Once per request, at its first read inside the view (the URL is resolved by then)."""
        request = self.request
        match = getattr(request, "resolver_match", None)
        if request is None or match is None:
            return False  # before URL resolution (an outer middleware): not decided yet
        self.decided = True
        self.use_replica = (
            request.method in ("GET", "HEAD") and self._audience_allows(request, match.url_name)
        ) and replica_usable()
        return self.use_replica

    @staticmethod
    def _audience_allows(request: HttpRequest, url_name: str | None) -> bool:
        if url_name in ANONYMOUS_READS:
            if "HTTP_AUTHORIZATION" in request.META:
                return False
            return _authenticated_user(request) is None and not pinned(request, None)
        if url_name in SUPERVISOR_READS:
            from tuoyu_portal.accounts.models import Role

            user = _authenticated_user(request)
            return (
                user is not None
                and getattr(user, "role", None) == Role.SUPERVISOR
                and not pinned(request, user)
            )
        return False


_current: ContextVar[RequestReads | None] = ContextVar("replica_reads", default=None)


class ReplicaRouter:
    """The replica for the reads of a request the middleware marked, else the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        state = _current.get()
        if state is None or state.wrote or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if not state.decided and not state.decide():
            return None
        return REPLICA if state.use_replica else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _current.get()
        if state is not None:
            state.wrote = True
        return PRIMARY  # an instance read from the replica is saved to the primary

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True  # the same rows: the replica is a copy of the primary
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # the standby replays the primary's schema


def _watch_writes(state: RequestReads) -> Callable[..., Any]:
    """Raw SQL writes on the primary count as writes too (the ORM's go through the router)."""

    def wrapper(
        execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
    ) -> Any:
        if isinstance(sql, str) and sql.lstrip()[:8].upper().startswith(_WRITES):
            state.wrote = True
        return execute(sql, params, many, context)

    return wrapper


def _watch_failures(state: RequestReads) -> Callable[..., Any]:
    def wrapper(
        execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
    ) -> Any:
        try:
            return execute(sql, params, many, context)
        except DatabaseError:
            if state.use_replica:
                state.replica_failed = True
            raise

    return wrapper


class ReplicaReadsMiddleware:
    """Marks each request for the router; pins the asker after a write; re-runs on the primary a
    read-only request whose replica query failed (the standby stopped mid-request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            return self.get_response(request)
        state = RequestReads(request)
        response = self._run(request, state)
        if state.replica_failed and not state.wrote:
            mark_replica_down()
            state = RequestReads(None)  # undecidable: every read on the primary
            response = self._run(request, state)
        if state.wrote:
            pin_to_primary(request, response)
        return response

    def _run(self, request: HttpRequest, state: RequestReads) -> HttpResponse:
        token = _current.set(state)
        try:
            with (
                connections[PRIMARY].execute_wrapper(_watch_writes(state)),
                connections[REPLICA].execute_wrapper(_watch_failures(state)),
            ):
                return self.get_response(request)
        finally:
            _current.reset(token)
