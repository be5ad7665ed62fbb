"""Concurrent duplicates: two deliveries of one key, two workers on one row — applied once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from registry.models import HealthInboxEntry
from registry.services.inbox import receive_event
from tests.exchange.helpers import approved_event, payload_for
from tuoyu_portal.exchange import services
from tuoyu_portal.exchange.models import DeliveryAttempt

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(fn: Callable[[], Any], n: int = 4) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            barrier.wait(5)
            results.append(fn())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    return results


def test_it_applies_concurrent_duplicate_deliveries_once() -> None:
    event = approved_event()
    from registry.models import Registration

    reg = Registration.objects.get(pk=event.aggregate_id)
    key = str(uuid.uuid4())
    results = run_together(
        lambda: receive_event(key, "registration.approved", payload_for(reg, "approved"))[1]
    )
    assert sorted(results) == [False, False, False, True]
    entry = HealthInboxEntry.objects.get(idempotency_key=key)
    assert entry.receipts == 4


def test_it_lets_one_of_several_concurrent_workers_deliver_a_row() -> None:
    event = approved_event()
    outcomes = run_together(lambda: services.deliver_event(event.pk))
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert DeliveryAttempt.objects.filter(event=event).count() == 1
    assert HealthInboxEntry.objects.get().receipts == 1


def test_a_delivery_commits_without_waiting_for_the_flush_and_then_restores_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = approved_event()
    seen: list[str] = []

    def recording_backend(outbox_event: Any) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return 200

    monkeypatch.setattr(services, "get_backend", lambda name=None: ("test", recording_backend))
    assert services.deliver_event(event.pk) == "sent"
    assert seen == ["off"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
