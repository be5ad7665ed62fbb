"""No secret has a default in the code."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from registry.models import HealthInboxEntry
from tests.exchange.helpers import approved_event
from tuoyu_portal import devsecrets, embedded_services
from tuoyu_portal.exchange import backends
from tuoyu_portal.exchange.signing import sign

pytestmark = pytest.mark.processes  # settings and embedded_services in child processes

ROOT = Path(__file__).resolve().parents[2]
OLD_PUSH_SECRET = "dev-push-secret"
SHOW = (
    "import os, json; os.environ['DJANGO_SETTINGS_MODULE'] = 'tuoyu_portal.settings';"
    "from django.conf import settings as s;"
    "print(json.dumps([s.SECRET_KEY, s.FIELD_ENCRYPTION_KEY, s.HEALTH_DEPT_PUSH_SECRET]))"
)


def settings_in_child(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (*devsecrets.NAMES, "DEBUG")}
    clean.pop("TESTING", None)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**clean, "SECRETS_FILE": str(tmp_path / "secrets.env"), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_not_code_literals(values: list[str]) -> None:
    secret_key, field_key, push_secret = values
    assert not secret_key.startswith("insecure-dev-key")
    assert len(secret_key) >= 50
    assert len(base64.b64decode(field_key)) == 32
    assert push_secret and push_secret != OLD_PUSH_SECRET


@pytest.mark.django_db
def test_a_push_signed_with_the_old_dev_secret_is_refused_in_the_test_configuration() -> None:
    event = approved_event()
    HealthInboxEntry.objects.all().delete()
    body = backends.http_body(event)
    timestamp = str(int(time.time()))
    response = Client().post(
        "/api/v1/exchange/events/",
        data=body,
        content_type="application/json",
        headers={
            "Idempotency-Key": str(event.idempotency_key),
            "X-Tuoyu-Timestamp": timestamp,
            "X-Tuoyu-Signature": sign(OLD_PUSH_SECRET, timestamp, body),
        },
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "signature_invalid"
    assert not HealthInboxEntry.objects.exists()
    assert settings.HEALTH_DEPT_PUSH_SECRET != OLD_PUSH_SECRET


def test_debug_without_secrets_uses_the_per_install_file_0600_and_keeps_it(
    tmp_path: Path,
) -> None:
    first = settings_in_child(tmp_path, DEBUG="1")
    assert first.returncode == 0, first.stderr
    values = json.loads(first.stdout)
    assert_not_code_literals(values)
    path = tmp_path / "secrets.env"
    assert path.stat().st_mode & 0o777 == 0o600
    again = settings_in_child(tmp_path, DEBUG="1")
    assert json.loads(again.stdout) == values, "the key must survive a restart"


def test_test_runs_get_random_secrets_of_their_own(tmp_path: Path) -> None:
    one = json.loads(settings_in_child(tmp_path, TESTING="1").stdout)
    two = json.loads(settings_in_child(tmp_path, TESTING="1").stdout)
    assert_not_code_literals(one)
    assert all(a != b for a, b in zip(one, two, strict=True))
    assert not (tmp_path / "secrets.env").exists()


def test_production_refuses_to_start_without_the_encryption_key(tmp_path: Path) -> None:
    out = settings_in_child(tmp_path, DEBUG="0", SECRET_KEY="x" * 60)
    assert out.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be set" in out.stderr
    assert not (tmp_path / "secrets.env").exists()


def test_the_file_keeps_its_values_and_fills_in_missing_ones(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("SECRET_KEY=kept-" + "k" * 50 + "\n")
    path.chmod(0o644)
    values = devsecrets.load_or_create(path, initial={"FIELD_ENCRYPTION_KEY": "A" * 43 + "="})
    assert values["SECRET_KEY"] == "kept-" + "k" * 50
    assert values["FIELD_ENCRYPTION_KEY"] == "A" * 43 + "="
    assert devsecrets.load_or_create(path) == values
    assert path.stat().st_mode & 0o777 == 0o600


def test_embedded_services_passes_the_per_install_secrets_only_with_debug_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRETS_FILE", str(tmp_path / "secrets.env"))
    monkeypatch.setattr(embedded_services, "_has_migrated_data", lambda url: False)
    production = {"DEBUG": "0", "DATABASE_URL": "postgres://x/y"}
    embedded_services.with_dev_secrets(production, fresh=False)
    assert not set(devsecrets.NAMES) & set(production)
    dev = {"DEBUG": "1", "DATABASE_URL": "postgres://x/y", "SECRET_KEY": "mine-" + "s" * 50}
    embedded_services.with_dev_secrets(dev, fresh=False)
    stored = devsecrets.load_or_create(tmp_path / "secrets.env")
    assert dev["SECRET_KEY"] == "mine-" + "s" * 50  # the environment wins
    assert dev["FIELD_ENCRYPTION_KEY"] == stored["FIELD_ENCRYPTION_KEY"]
    assert dev["HEALTH_DEPT_PUSH_SECRET"] == stored["HEALTH_DEPT_PUSH_SECRET"]
