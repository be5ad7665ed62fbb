"""Several web processes behind one address share nothing but PostgreSQL and Redis.

Two gunicorn instances (the Procfile's web line, as make run starts it, but outside TESTING so
that the cache is Redis as in production) on two ports, one user served by both in turn:
signed in on A, pages on B, signed out on B and so signed out on A, and a rate limit counted
across both.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tests.exchange.brokers import RedisServer, free_port, wait_for
from tests.ops.stack import ROOT, http_status
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.devsecrets import NAMES
from tuoyu_portal.embedded_services import PROCFILE, read_procfile
from tuoyu_portal.service_urls import database_url_from_settings

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SEARCH_LIMIT = 6


@pytest.fixture
def start_web(tmp_path: Path) -> Iterator[Callable[[int], subprocess.Popen[bytes]]]:
    redis = RedisServer(tmp_path)
    redis.start()
    started: list[subprocess.Popen[bytes]] = []
    command = next(p.command for p in read_procfile(PROCFILE) if p.name == "web")
    drop = ("TESTING", "SITE_URL", "XDG_RUNTIME_DIR")
    env = {
        **{k: v for k, v in os.environ.items() if k not in drop},
        "DEBUG": "1",
        "DATABASE_URL": database_url_from_settings(),
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "HOME": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),  # one shared store (a volume, or S3)
        "WEB_CONCURRENCY": "1",
        "RATE_LIMIT_SEARCH": f"{SEARCH_LIMIT}/m",
        "PUBLIC_CACHE_SECONDS": "0",
        **{name: getattr(settings, name) for name in NAMES},
    }

    def start(port: int) -> subprocess.Popen[bytes]:
        with open(tmp_path / f"web-{port}.log", "wb") as out:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],
                cwd=ROOT,
                env={**env, "PORT": str(port)},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        redis.stop()


class Browser:
    """One browser's cookie jar, sent to whichever port is asked."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        conn.close()
        return response

    def me(self, port: int) -> str | None:
        response = self.request(port, "GET", "/api/v1/me/")
        return str(json.loads(response.text)["username"]) if response.status == 200 else None


def test_two_webs_serve_one_signed_in_user_in_turn_and_count_one_rate_limit(
    start_web: Callable[[int], subprocess.Popen[bytes]], settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the webs'
    User.objects.create_user("web_op", password=PASSWORD, role=Role.OPERATOR, region_id="371103")
    a, b = free_port(), free_port()
    start_web(a)
    start_web(b)
    for port in (a, b):
        wait_for(lambda port=port: http_status(f"http://127.0.0.1:{port}/") == 200, 90, "web")

    browser = Browser()
    page = browser.request(a, "GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    signed_in = browser.request(
        a,
        "POST",
        "/accounts/login/",
        {"username": "web_op", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert signed_in.status == 302, signed_in.text[:500]
    assert "sessionid" in browser.cookies
    # The session written by A is read by B, and by A again, in turn.
    assert [browser.me(port) for port in (b, a, b, a)] == ["web_op"] * 4

    # Signed out on B is signed out on A.
    page = browser.request(b, "GET", "/")
    csrf = browser.cookies["csrftoken"]
    out = browser.request(b, "POST", "/accounts/logout/", {"csrfmiddlewaretoken": csrf})
    assert out.status == 302, out.text[:500]
    assert browser.me(a) is None and browser.me(b) is None

    # One rate limit for the address, whichever process answers.
    visitor = Browser()
    statuses = [visitor.request((a, b)[n % 2], "GET", "/public/").status for n in range(8)]
    assert statuses == [200] * SEARCH_LIMIT + [429, 429], statuses
