"""The push with a real Celery worker and a real Redis that this module starts and stops.

Never touches the shared Redis on 6379: a private redis-server runs on a free port. The worker
is a `celery -A tuoyu_portal worker` subprocess on the pytest test database (TESTING=1).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db.models import Count, Sum

from registry.models import HealthInboxEntry
from tests import factories
from tests.conftest import client_for
from tests.exchange.brokers import RedisServer, use_broker, wait_for
from tests.exchange.helpers import approve, registrar_for
from tests.factories import credit_code
from tuoyu_portal.celery import QUEUES
from tuoyu_portal.exchange import publisher, services
from tuoyu_portal.exchange.models import DeliveryAttempt, OutboxEvent
from tuoyu_portal.service_urls import database_url_from_settings

pytestmark = [
    pytest.mark.celery_integration,
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`celery -A tuoyu_portal worker` (prefork, concurrency 2, every queue) in its own process group."""

    def __init__(self, broker_url: str, log: Path, **env: str) -> None:
        self.env = {
            **os.environ,
            "TESTING": "1",
            # The test database, wherever it is: over a socket directory (the embedded
            # PostgreSQL of a bare machine) as well as over host:port.
            "DATABASE_URL": database_url_from_settings(),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "HEALTH_DEPT_PUSH_SECRET": django_settings.HEALTH_DEPT_PUSH_SECRET,
            "FIELD_ENCRYPTION_KEY": django_settings.FIELD_ENCRYPTION_KEY,
            **env,
        }
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tuoyu_portal",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    "2",
                    "--queues",
                    ",".join(QUEUES),
                    "--loglevel",
                    "warning",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL takes the children too
            )

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes (the group of the process we started)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        with use_broker(server.url):
            yield server
    finally:
        server.stop()


@pytest.fixture
def make_worker(redis_server: RedisServer, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def make(**env: str) -> Worker:
        worker = Worker(redis_server.url, tmp_path / "worker.log", **env)
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop()


@pytest.fixture(autouse=True)
def _fast_retries(settings: Any) -> None:
    settings.OUTBOX_STALE_SECONDS = 3
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 1
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 2


def sweep_until_all_sent(expected: int, timeout: float) -> None:
    """What beat does every 30 s, every second here."""

    def done() -> bool:
        services.sweep_outbox()
        return OutboxEvent.objects.filter(state="sent").count() == expected

    wait_for(done, timeout, f"{expected} events sent", step=1.0)


def assert_exactly_once(expected: int) -> None:
    assert OutboxEvent.objects.count() == expected
    assert OutboxEvent.objects.exclude(state="sent").count() == 0
    assert HealthInboxEntry.objects.count() == expected
    keys = set(OutboxEvent.objects.values_list("idempotency_key", flat=True))
    assert {str(k) for k in keys} == set(
        HealthInboxEntry.objects.values_list("idempotency_key", flat=True)
    )
    per_key = HealthInboxEntry.objects.values("idempotency_key").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in per_key)


def test_it_survives_a_20_second_broker_outage_during_200_approvals(
    redis_server: RedisServer, make_worker: Callable[..., Worker]
) -> None:
    worker = make_worker()
    worker.start()
    registrar = registrar_for("371103", "xzsp")  # 岚山 routes for-profit registrations to 行政审批
    client = client_for(registrar)
    regs = [
        factories.SubmittedRegistrationFactory(
            institution=factories.InstitutionFactory(region_id="371103")
        )
        for _ in range(200)
    ]
    redis_server.stop()
    stopped_at = time.monotonic()
    slowest = 0.0
    for reg in regs:
        started = time.monotonic()
        response = client.post(
            f"/api/v1/registrations/{reg.pk}/approve/",
            {"credit_code": credit_code(reg.pk)},
            format="json",
        )
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 200, response.content
    assert slowest < 3.0, f"slowest approval took {slowest:.3f}s with Redis stopped"
    assert OutboxEvent.objects.filter(state="pending").count() == 200
    time.sleep(max(0.0, 20 - (time.monotonic() - stopped_at)))
    redis_server.start()
    sweep_until_all_sent(200, timeout=90)
    assert_exactly_once(200)


def test_it_loses_and_duplicates_nothing_when_the_worker_is_killed_mid_delivery(
    redis_server: RedisServer, make_worker: Callable[..., Worker]
) -> None:
    total = 300
    for _ in range(total):
        approve(
            factories.SubmittedRegistrationFactory(
                institution=factories.InstitutionFactory(region_id="371103")
            )
        )
    # The approvals' after-commit publishes reach our Redis; let the publisher thread finish.
    wait_for(lambda: publisher.PUBLISHER.pending == 0, 30, "publisher to drain")
    worker = make_worker(HEALTH_DEPT_LOCAL_RECEIVER="tests.exchange.slow_receiver.receive_event")
    kills = 0
    for _ in range(3):
        before = OutboxEvent.objects.filter(state="sent").count()
        worker.start()
        wait_for(
            lambda before=before: OutboxEvent.objects.filter(state="sent").count() >= before + 15,
            60,
            "the worker to make progress",
            step=0.05,
        )
        worker.kill()
        kills += 1
    in_flight = OutboxEvent.objects.filter(state="sending").count()
    assert OutboxEvent.objects.filter(state="sent").count() < total, "killed too late"
    worker.start()
    sweep_until_all_sent(total, timeout=90)
    assert kills == 3
    assert_exactly_once(total)
    # Redeliveries after a kill reach the receiver again and are absorbed, never re-applied.
    receipts = HealthInboxEntry.objects.aggregate(n=Sum("receipts"))["n"]
    assert receipts >= total
    print(f"in flight at last kill: {in_flight}; duplicate receipts absorbed: {receipts - total}")


def test_it_delivers_over_http_to_a_live_receiver_and_a_bad_signature_is_refused(
    redis_server: RedisServer, make_worker: Callable[..., Worker], live_server: Any
) -> None:
    url = f"{live_server.url}/api/v1/exchange/events/"
    events = [
        approve(
            factories.SubmittedRegistrationFactory(
                institution=factories.InstitutionFactory(region_id="371103")
            )
        )
        for _ in range(5)
    ]
    wait_for(lambda: publisher.PUBLISHER.pending == 0, 30, "publisher to drain")
    # A sender with the wrong secret: refused with 401, nothing stored, the events keep retrying.
    wrong = make_worker(
        HEALTH_DEPT_PUSH_BACKEND="http",
        HEALTH_DEPT_PUSH_URL=url,
        HEALTH_DEPT_PUSH_SECRET="not-the-shared-secret",
        OUTBOX_BACKOFF_BASE_SECONDS="1",
        OUTBOX_BACKOFF_CAP_SECONDS="2",
    )
    wrong.start()
    wait_for(
        lambda: DeliveryAttempt.objects.filter(http_status=401).count() >= len(events),
        60,
        "refused deliveries",
    )
    wrong.stop()
    assert not HealthInboxEntry.objects.exists()
    assert OutboxEvent.objects.filter(state__in=["pending", "sending"]).count() == len(events)
    assert "signature_invalid" in DeliveryAttempt.objects.filter(http_status=401).first().error
    # The right secret: every event arrives once over HTTP, its ID number re-encrypted.
    right = make_worker(
        HEALTH_DEPT_PUSH_BACKEND="http",
        HEALTH_DEPT_PUSH_URL=url,
        OUTBOX_BACKOFF_BASE_SECONDS="1",
    )
    right.start()
    sweep_until_all_sent(len(events), timeout=60)
    assert_exactly_once(len(events))
    assert set(DeliveryAttempt.objects.filter(ok=True).values_list("http_status", flat=True)) == {
        201
    }
    entry = HealthInboxEntry.objects.first()
    assert entry is not None and entry.registration_id is None and entry.receipts == 1
