"""The receiving endpoint: signature, timestamp, idempotency; and the http backend's request."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from registry.models import HealthInboxEntry
from tests.exchange.helpers import approved_event
from tuoyu_portal import crypto
from tuoyu_portal.exchange import backends
from tuoyu_portal.exchange.models import OutboxEvent
from tuoyu_portal.exchange.signing import sign, verify

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/events/"
SECRET = "dev-push-secret"


@pytest.fixture(autouse=True)
def _secret(settings: Any) -> None:
    settings.HEALTH_DEPT_PUSH_SECRET = SECRET


def post(
    event: OutboxEvent,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    body: bytes | None = None,
) -> Any:
    body = body if body is not None else backends.http_body(event)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return Client().post(
        URL,
        data=body,
        content_type="application/json",
        headers={
            "Idempotency-Key": str(event.idempotency_key),
            "X-Tuoyu-Timestamp": ts,
            "X-Tuoyu-Signature": sign(secret, ts, body),
        },
    )


def test_it_signs_timestamp_and_body_and_compares_in_constant_time() -> None:
    sig = sign("k", "1700000000", b"{}")
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert verify("k", "1700000000", b"{}", sig)
    assert not verify("k", "1700000001", b"{}", sig)
    assert not verify("other", "1700000000", b"{}", sig)
    assert not verify("k", "1700000000", b"{}", "")


def test_it_sends_the_plain_id_number_only_over_http_and_reencrypts_it_on_receipt() -> None:
    event = approved_event()
    body = json.loads(backends.http_body(event))
    rep = body["payload"]["legal_representative"]
    assert rep["id_number"] == "11010519491231002X" and "id_number_encrypted" not in rep
    assert body["idempotency_key"] == str(event.idempotency_key)
    response = post(event)
    assert response.status_code == 201, response.content
    assert response.json() == {"status": "received"}
    entry = HealthInboxEntry.objects.get()
    assert crypto.decrypt(entry.legal_representative_id_encrypted) == "11010519491231002X"
    assert "11010519491231002X" not in json.dumps(entry.payload)
    assert entry.legal_representative_id_masked and entry.registration_id is None
    assert entry.registration_ref == event.aggregate_id


def test_it_answers_duplicate_for_a_second_delivery_and_applies_once() -> None:
    event = approved_event()
    assert post(event).status_code == 201
    second = post(event)
    assert second.status_code == 200 and second.json() == {"status": "duplicate"}
    assert HealthInboxEntry.objects.get().receipts == 2


def test_it_rejects_a_bad_signature_and_stores_nothing() -> None:
    event = approved_event()
    response = post(event, secret="wrong-secret")
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["code"] == "signature_invalid" and not error["message"].isascii()
    assert not HealthInboxEntry.objects.exists()


def test_it_rejects_a_tampered_body() -> None:
    event = approved_event()
    body = backends.http_body(event)
    ts = str(int(time.time()))
    response = Client().post(
        URL,
        data=body.replace(b"371103", b"141023"),
        content_type="application/json",
        headers={"X-Tuoyu-Timestamp": ts, "X-Tuoyu-Signature": sign(SECRET, ts, body)},
    )
    assert response.status_code == 401
    assert not HealthInboxEntry.objects.exists()


@pytest.mark.parametrize(("age", "status"), [(301, 401), (-301, 401), (290, 201)])
def test_it_rejects_expired_timestamps(age: int, status: int) -> None:
    event = approved_event()
    response = post(event, timestamp=int(time.time()) - age)
    assert response.status_code == status, response.content
    if status == 401:
        assert response.json()["errors"][0]["code"] == "timestamp_expired"
        assert not HealthInboxEntry.objects.exists()


def test_it_answers_400_listing_broken_fields_for_a_signed_but_invalid_envelope() -> None:
    event = approved_event()
    body = json.dumps({"idempotency_key": "not-a-uuid", "event_type": "x"}).encode()
    response = post(event, body=body)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"idempotency_key", "event_type", "payload"} <= fields


def test_it_answers_400_for_a_signed_body_that_is_not_json() -> None:
    event = approved_event()
    response = post(event, body=b"not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_it_reports_an_http_failure_as_a_delivery_error(settings: Any) -> None:
    settings.HEALTH_DEPT_PUSH_URL = "http://127.0.0.1:9/nothing-listens-here"
    settings.HEALTH_DEPT_PUSH_TIMEOUT = 1
    event = approved_event()
    with pytest.raises(backends.DeliveryError):
        backends.deliver_http(event)


def test_a_region_pushes_to_its_own_target_with_its_own_secret(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from tuoyu_portal.regions.models import RegionRule

    settings.HEALTH_DEPT_PUSH_URL = ""
    event = approved_event()
    with pytest.raises(backends.DeliveryError, match="not set"):
        backends.deliver_http(event)
    for key, value in (
        ("push_target_url", "https://wsjk.example.gov.cn/push"),
        ("push_secret_name", "LANSHAN_PUSH_SECRET"),
    ):
        RegionRule.objects.create(
            key=key, region_id="371100", value=value, effective_from=date(2020, 1, 1)
        )
    with pytest.raises(backends.DeliveryError, match="LANSHAN_PUSH_SECRET"):
        backends.push_target("371103")
    monkeypatch.setenv("LANSHAN_PUSH_SECRET", "s3cret-of-rizhao")
    assert backends.push_target("371103") == (
        "https://wsjk.example.gov.cn/push",
        "s3cret-of-rizhao",
    )
    assert backends.push_target("141023") == ("", settings.HEALTH_DEPT_PUSH_SECRET)
