"""Delivery backends: `local` (this deployment's county inbox) and `http` (a signed POST).

A backend delivers one event or raises `DeliveryError`; it returns the HTTP status if any.
Backends run outside any database transaction (services.deliver_event guarantees it).
"""

from __future__ import annotations

import copy
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from tuoyu_portal import crypto
from tuoyu_portal.regions import rules

from .models import OutboxEvent
from .signing import sign


class DeliveryError(Exception):
    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


Backend = Callable[[OutboxEvent], "int | None"]


def deliver_local(event: OutboxEvent) -> int | None:
    """Write the county health inbox of this deployment (encrypted ID number passes through)."""
    receive = import_string(settings.HEALTH_DEPT_LOCAL_RECEIVER)
    receive(str(event.idempotency_key), event.event_type, event.payload)
    return None


def http_body(event: OutboxEvent) -> bytes:
    """The JSON envelope; the ID number is decrypted at send time (TLS in production) because the
    receiver cannot read our ciphertext — it re-encrypts with its own key."""
    payload: dict[str, Any] = copy.deepcopy(event.payload)
    rep = payload.get("legal_representative")
    if isinstance(rep, dict) and rep.get("id_number_encrypted"):
        rep["id_number"] = crypto.decrypt(rep.pop("id_number_encrypted"))
    envelope = {
        "idempotency_key": str(event.idempotency_key),
        "event_type": event.event_type,
        "region": event.region_id,
        "created_at": event.created_at.isoformat() if event.created_at else None,
        "payload": payload,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True).encode("utf-8")


def push_target(region_code: str) -> tuple[str, str]:
    """(URL, secret) for a region: its rules push_target_url / push_secret_name (the name of the
    environment variable holding the secret), else the deployment's HEALTH_DEPT_PUSH_*."""
    url = (
        str(rules.value_for("push_target_url", region_code) or "") or settings.HEALTH_DEPT_PUSH_URL
    )
    secret_name = str(rules.value_for("push_secret_name", region_code) or "")
    if not secret_name:
        return url, settings.HEALTH_DEPT_PUSH_SECRET
    secret = os.environ.get(secret_name, "")
    if not secret:
        raise DeliveryError(f"push secret {secret_name} is not set in the environment")
    return url, secret


def deliver_http(event: OutboxEvent) -> int | None:
    url, secret = push_target(event.region_id)
    if not url:
        raise DeliveryError("HEALTH_DEPT_PUSH_URL is not set")
    body = http_body(event)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 — the URL is configuration, not user input
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": str(event.idempotency_key),
            "X-Tuoyu-Timestamp": timestamp,
            "X-Tuoyu-Signature": sign(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.HEALTH_DEPT_PUSH_TIMEOUT) as resp:  # noqa: S310
            status: int = resp.status
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace")
        raise DeliveryError(f"HTTP {exc.code}: {detail}", http_status=exc.code) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if status not in (200, 201):
        raise DeliveryError(f"HTTP {status}", http_status=status)
    return status


BACKENDS: dict[str, Backend] = {"local": deliver_local, "http": deliver_http}


def get_backend(name: str | None = None) -> tuple[str, Backend]:
    name = name or settings.HEALTH_DEPT_PUSH_BACKEND
    return name, BACKENDS[name]
