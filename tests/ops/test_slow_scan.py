"""A slow scan never delays a push: the Procfile's push and scan workers, on a private Redis.

The scan is made slow on purpose by holding a lock on the table it reads (as a scan over
millions of rows holds its worker for minutes); approvals meanwhile must reach the health
inbox within 2 s at the 95th percentile.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from registry.models import HealthInboxEntry, Registration
from tests import factories
from tests.exchange.brokers import RedisServer, use_broker, wait_for
from tests.exchange.helpers import approve
from tuoyu_portal.devsecrets import NAMES
from tuoyu_portal.embedded_services import PROCFILE, read_procfile
from tuoyu_portal.service_urls import conninfo_from_settings, database_url_from_settings

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SCAN = "inspections.tasks.flag_overdue_findings"
APPROVALS = 40


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
def start_program(
    redis_server: RedisServer, tmp_path: Path
) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    """A Procfile line, as make run starts it, on the test database and the private Redis."""
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "TESTING": "1",
        "DATABASE_URL": database_url_from_settings(),
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        **{name: getattr(settings, name) for name in NAMES},
    }
    if os.geteuid() == 0:
        env["C_FORCE_ROOT"] = "1"

    def start(name: str) -> subprocess.Popen[bytes]:
        command = next(p.command for p in read_procfile(PROCFILE) if p.name == name)
        with open(tmp_path / f"{name}.log", "wb") as out:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def scans_waiting(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """Backends of the scan worker stuck behind our lock on the findings table."""
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query ILIKE %s AND pid <> pg_backend_pid()",
        ["%inspections_finding%"],
    ).fetchone()
    return int(row[0]) if row else 0


def test_a_slow_scan_never_delays_a_push(
    start_program: Callable[[str], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    regs = [
        factories.SubmittedRegistrationFactory(
            institution=factories.InstitutionFactory(region_id="371103")
        )
        for _ in range(APPROVALS)
    ]
    start_program("worker-scan")
    start_program("worker-push")
    with (
        psycopg.connect(conninfo_from_settings()) as lock,
        psycopg.connect(conninfo_from_settings(), autocommit=True) as watch,
    ):
        lock.execute("LOCK TABLE inspections_finding IN ACCESS EXCLUSIVE MODE")
        from tuoyu_portal.celery import app

        for _ in range(3):  # more scans than the scan worker has pool processes
            app.send_task(SCAN)
        wait_for(lambda: scans_waiting(watch) >= 1, 60, "the scan to start (and wait)")
        # The push worker is up once a first push arrives; its start-up is not a push delay.
        approve(regs[0])
        wait_for(lambda: HealthInboxEntry.objects.count() == 1, 60, "the push worker")
        started = time.monotonic()
        for n, reg in enumerate(regs[1:]):
            time.sleep(max(0.0, started + n * 0.1 - time.monotonic()))  # 10 approvals a second
            approve(reg)
        wait_for(lambda: HealthInboxEntry.objects.count() == APPROVALS, 60, "every push")
        # The scan held its worker the whole time.
        assert scans_waiting(watch) >= 1, (tmp_path / "worker-scan.log").read_text()[-2000:]
        lock.rollback()
    ids = [reg.pk for reg in regs[1:]]
    decided = dict(Registration.objects.filter(pk__in=ids).values_list("pk", "decided_at"))
    latencies = sorted(
        (received - decided[reg_id]).total_seconds()
        for reg_id, received in HealthInboxEntry.objects.filter(
            registration_id__in=ids
        ).values_list("registration_id", "received_at")
    )
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"push latency during a slow scan: p50 {statistics.median(latencies):.3f}s p95 {p95:.3f}s"
    )
    assert len(latencies) == APPROVALS - 1
    assert p95 <= 2.0, latencies
