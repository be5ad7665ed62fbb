"""`make run` supervises: a killed worker comes back by itself and the push still arrives."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.models import HealthInboxEntry
from tests import factories
from tests.exchange.brokers import RedisServer, use_broker, wait_for
from tests.exchange.helpers import approve
from tests.ops.stack import Stack, alive, http_status
from tuoyu_portal import embedded_services
from tuoyu_portal.exchange import publisher
from tuoyu_portal.exchange.models import OutboxEvent

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

# Every line: the process name, then one clock, Beijing time with its offset.
LINE = re.compile(
    r"^(embedded_services|web|worker-push|worker-notify|worker-scan|beat)\s+\| \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+0800 "
)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    redis = RedisServer(tmp_path)
    redis.start()
    stack = Stack(redis.url, tmp_path)
    try:
        with use_broker(redis.url):
            yield stack
    finally:
        stack.kill()
        redis.stop()


def test_a_killed_worker_is_restarted_and_the_push_is_delivered_without_anyone(
    stack: Stack,
) -> None:
    stack.start()
    wait_for(lambda: http_status(f"{stack.url}/healthz") == 200, 90, "the web to serve")
    wait_for(lambda: "pushes@" in stack.text() and " ready." in stack.text(), 90, "the worker")
    first = stack.pids()
    worker_pid, web_pid = first["worker-push"][0], first["web"][0]

    os.kill(worker_pid, signal.SIGKILL)  # the worker's main process, as the OOM killer would
    killed_at = time.monotonic()
    event = approve(
        factories.SubmittedRegistrationFactory(
            institution=factories.InstitutionFactory(region_id="371103")
        )
    )
    wait_for(lambda: publisher.PUBLISHER.pending == 0, 30, "the publish to reach Redis")
    # The web keeps serving while the worker is down and restarting.
    statuses = []
    while time.monotonic() - killed_at < 3:
        statuses.append(http_status(f"{stack.url}/healthz"))
        time.sleep(0.3)
    assert set(statuses) == {200}

    def delivered() -> bool:
        event.refresh_from_db()
        return event.state == "sent"

    wait_for(delivered, 90, "the push to be delivered by the restarted worker", step=0.5)
    print(f"push delivered {time.monotonic() - killed_at:.1f}s after the worker was killed")
    assert HealthInboxEntry.objects.filter(idempotency_key=event.idempotency_key).count() == 1
    assert OutboxEvent.objects.get(pk=event.pk).attempts >= 1

    log = stack.text()
    assert re.search(
        rf"worker-push \(pid {worker_pid}\) exited after \d+s \(killed by SIGKILL\); restarting in 1s",
        log,
    ), log[-3000:]
    pids = stack.pids()
    assert len(pids["worker-push"]) == 2 and pids["worker-push"][1] != worker_pid
    assert pids["web"] == [web_pid] and len(pids["beat"]) == 1  # the others were left alone
    assert len(pids["worker-notify"]) == 1 and len(pids["worker-scan"]) == 1

    # An ID number in a query string is masked in the access log, as in Django's logs.
    http_status(f"{stack.url}/healthz?id=110105199001011234")

    # Ctrl-C still stops everything, and nothing is left behind.
    assert stack.interrupt() == 0
    every_pid = [pid for group in pids.values() for pid in group]
    wait_for(lambda: not any(alive(pid) for pid in every_pid), 20, "every process to end")
    assert http_status(f"{stack.url}/healthz", timeout=1) == 0

    lines = [line for line in stack.text().splitlines() if line.strip()]
    unstamped = [line for line in lines if not LINE.match(line)]
    assert not unstamped, unstamped[:10]
    assert "SecurityWarning" not in stack.text()
    assert "110105199001011234" not in stack.text()
    assert "/healthz?id=110105********1234" in stack.text()
    assert "all processes stopped" in lines[-1]


def test_a_program_that_keeps_dying_is_restarted_with_growing_delays(
    capsys: pytest.CaptureFixture[str],
) -> None:
    crashing = embedded_services.Program("beat", "sh -c 'echo tick; exit 3'")
    thread = threading.Thread(
        target=embedded_services.supervise, args=([crashing], dict(os.environ)), daemon=True
    )
    seen: list[str] = []

    def restarted_three_times() -> bool:
        captured = capsys.readouterr()
        seen.append(captured.out + captured.err)
        return "restarting in 4s" in "".join(seen)

    try:
        thread.start()
        wait_for(restarted_three_times, 30, "three restarts")
    finally:
        embedded_services.Stop.requested = True
        thread.join(30)
        embedded_services.Stop.requested = False
    assert not thread.is_alive()
    log = "".join(seen) + capsys.readouterr().err
    delays = re.findall(
        r"beat \(pid \d+\) exited after \d+s \(exit code 3\); restarting in (\d+)s", log
    )
    assert delays[:3] == ["1", "2", "4"], log
    assert log.count("beat restarted (pid") >= 2
    assert re.search(r"^beat\s+\| \S+ \S+ tick$", log, re.MULTILINE)
