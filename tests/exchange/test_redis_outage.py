"""A stopped or frozen Redis fails no request and slows none past 1 s.

The cache (public-register answers, its version bump) and the rate limiter point at a real
redis-server of this test, which is then stopped (SIGTERM) or frozen (SIGSTOP). Approvals,
registration creation, ``/public/`` and ``/api/v1/public/facilities/`` must all answer as usual.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.test import Client

from registry.models import RegistrationStatus
from tests import factories
from tests.conftest import client_for
from tests.exchange.brokers import use_broker
from tests.exchange.helpers import registrar_for
from tests.exchange.test_celery_integration import RedisServer
from tests.factories import credit_code, valid_data
from tuoyu_portal import failopen, publiccache, ratelimit
from tuoyu_portal.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 8  # each round: one approval, one registration, two public reads
BOUND_SECONDS = 1.0  # none slower than 1 s


@dataclass
class Figures:
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def timed(self, what: str, call: Callable[[], Any], expected: int) -> Any:
        started = time.monotonic()
        response = call()
        self.latencies.append(time.monotonic() - started)
        self.requests += 1
        if response.status_code != expected:
            self.failures.append(f"{what}: {response.status_code}")
        return response

    def report(self, label: str) -> str:
        return (
            f"{label}: {self.requests} requests, {len(self.failures)} failures, "
            f"max latency {max(self.latencies):.3f} s"
        )


@pytest.fixture
def redis_cache(tmp_path: Path, settings: Any) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.PUBLIC_CACHE_SECONDS = 60
    settings.CELERY_BROKER_URL = server.url
    failopen.reset()
    ratelimit.local_counter.clear()
    try:
        with use_broker(server.url):
            yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            os.kill(server.proc.pid, signal.SIGCONT)
        server.stop()
        failopen.reset()


def _version(server: RedisServer) -> int:
    client = redis.Redis.from_url(server.url, socket_timeout=1)
    keys = client.keys("*public-cache:version")
    return int(client.get(keys[0]) or 0) if keys else 0


def _traffic(figures: Figures, rounds: int) -> None:
    registrars: dict[str, Any] = {}
    operator = factories.UserFactory(role=Role.OPERATOR, region_id="371103")
    owner = client_for(operator)
    public = Client()
    for i in range(rounds):
        reg = factories.SubmittedRegistrationFactory(
            institution=factories.InstitutionFactory(region_id="371103")
        )
        # The registrar of the office the region's rules route this registration to.
        if reg.authority not in registrars:
            registrars[reg.authority] = client_for(registrar_for("371103", reg.authority))
        registrar = registrars[reg.authority]
        approved = figures.timed(
            "approve",
            lambda reg=reg, i=i, registrar=registrar: registrar.post(
                f"/api/v1/registrations/{reg.pk}/approve/",
                {"credit_code": credit_code(reg.pk + 1000 * i)},
                format="json",
            ),
            200,
        )
        if approved.status_code == 200:
            assert approved.json()["status"] == RegistrationStatus.APPROVED
        figures.timed(
            "create registration",
            lambda: owner.post("/api/v1/registrations/", valid_data(), format="json"),
            201,
        )
        figures.timed("public page", lambda: public.get("/public/"), 200)
        figures.timed(
            "public api", lambda: public.get("/api/v1/public/facilities/?region=371103"), 200
        )


def test_the_cache_works_and_is_bumped_after_commit_while_redis_is_up(
    redis_cache: RedisServer,
) -> None:
    figures = Figures()
    _traffic(figures, 2)
    assert figures.failures == []
    assert _version(redis_cache) >= 2  # approvals and new registrations bumped the version
    assert cache.get(publiccache.VERSION_KEY) == _version(redis_cache)


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_no_request_fails_or_waits_while_redis_is_down(
    redis_cache: RedisServer, fault: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _traffic(Figures(), 1)  # warm: connections in the pool, answers in the cache
    assert redis_cache.proc is not None
    if fault == "stopped":
        redis_cache.stop()
    else:
        os.kill(redis_cache.proc.pid, signal.SIGSTOP)
    figures = Figures()
    _traffic(figures, ROUNDS)
    health = Client().get("/healthz")
    with capsys.disabled():
        print("\n" + figures.report(f"redis {fault}"))
    assert figures.failures == []
    assert max(figures.latencies) < BOUND_SECONDS, figures.report(fault)
    # The health check still tells operations that the broker is down.
    assert health.status_code == 503
    assert health.json()["checks"]["broker"].startswith("error")


def test_the_rate_limit_still_applies_per_process_while_redis_is_down(
    redis_cache: RedisServer, settings: Any
) -> None:
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "public-search:GET": "3/m"}
    redis_cache.stop()
    public = Client()
    codes = [public.get("/public/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_a_bump_lost_to_an_outage_is_made_before_the_cache_is_read_again(
    redis_cache: RedisServer,
) -> None:
    public = Client()
    url = "/api/v1/public/facilities/?region=371103"
    assert public.get(url).status_code == 200  # cached under the current version
    before = _version(redis_cache)
    failopen.trip()  # Redis presumed down: the bump after this commit is lost
    factories.InstitutionFactory(region_id="371103")
    assert publiccache._bump_pending
    failopen.reset()  # reachable again
    assert public.get(url).status_code == 200
    assert not publiccache._bump_pending and _version(redis_cache) == before + 1
