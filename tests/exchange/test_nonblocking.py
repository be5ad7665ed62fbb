"""A stopped or hung Redis never slows or fails an approval (the outbox sweep delivers later)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest

from registry.models import HealthInboxEntry, RegistrationStatus
from tests import factories
from tests.conftest import client_for
from tests.exchange.brokers import free_port, hung_server, use_broker
from tests.exchange.helpers import registrar_for
from tests.factories import credit_code
from tuoyu_portal.exchange import publisher, services
from tuoyu_portal.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)

APPROVALS = 5
BOUND_SECONDS = 3.0  # generous: the point is "not blocked by the broker", not a benchmark


@contextlib.contextmanager
def dead_broker() -> Iterator[str]:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with use_broker(url):
        yield url


@contextlib.contextmanager
def hung_broker() -> Iterator[str]:
    with hung_server() as port:
        url = f"redis://127.0.0.1:{port}/0"
        with use_broker(url):
            yield url


def approve_via_api(n: int) -> list[float]:
    registrar = registrar_for("371103", "xzsp")  # 岚山 routes for-profit registrations to 行政审批
    client = client_for(registrar)
    elapsed = []
    for i in range(n):
        reg = factories.SubmittedRegistrationFactory(
            institution=factories.InstitutionFactory(region_id="371103")
        )
        started = time.monotonic()
        response = client.post(
            f"/api/v1/registrations/{reg.pk}/approve/",
            {"credit_code": credit_code(reg.pk + 1000 * i)},
            format="json",
        )
        elapsed.append(time.monotonic() - started)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == RegistrationStatus.APPROVED
    return elapsed


@pytest.mark.parametrize("broker", [dead_broker, hung_broker], ids=["stopped", "hung"])
def test_it_approves_quickly_when_the_broker_is_unreachable(broker: Any) -> None:
    with broker():
        elapsed = approve_via_api(APPROVALS)
        assert max(elapsed) < BOUND_SECONDS, f"approval took {elapsed}"
        # The publisher thread gives up on its own (socket timeouts), it never wedges.
        deadline = time.monotonic() + APPROVALS * 5 + 5
        while publisher.PUBLISHER.pending and time.monotonic() < deadline:
            time.sleep(0.1)
        assert publisher.PUBLISHER.pending == 0
    events = OutboxEvent.objects.all()
    assert events.count() == APPROVALS and all(e.state == "pending" for e in events)
    # The sweep (beat) delivers what the broker never saw, each exactly once.
    services.sweep_outbox(dispatch=services.deliver_event)
    assert OutboxEvent.objects.filter(state="sent").count() == APPROVALS
    assert HealthInboxEntry.objects.count() == APPROVALS


def test_it_schedules_without_blocking_even_when_the_queue_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import queue

    with dead_broker():
        publisher.schedule_delivery(0)  # the publisher thread exists, bound to the real queue
    monkeypatch.setattr(publisher.PUBLISHER, "queue", queue.Queue(maxsize=1))
    with hung_broker():
        started = time.monotonic()
        for event_id in range(50):
            publisher.schedule_delivery(event_id)  # extra ids are dropped, never waited for
        assert time.monotonic() - started < 0.5
