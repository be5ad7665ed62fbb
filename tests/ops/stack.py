"""`make run`'s supervisor (python -m tuoyu_portal.embedded_services run --serve-only) on the test
database and a private Redis, for tests that need a whole running stack."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.exchange.brokers import free_port
from tuoyu_portal.devsecrets import NAMES
from tuoyu_portal.service_urls import database_url_from_settings

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"embedded_services\s+\| \S+ \S+ ([\w-]+) (?:started|restarted) \(pid (\d+)\)")


def http_status(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


class Stack:
    """The supervisor in a session of its own, its whole output in `log`."""

    def __init__(self, redis_url: str, tmp: Path, **env: str) -> None:
        self.port = free_port()
        self.log = tmp / "run.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DEBUG")},
            "TESTING": "1",
            "DATABASE_URL": database_url_from_settings(),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "PORT": str(self.port),
            "BEAT_SCHEDULE": str(tmp / "celerybeat-schedule"),
            "WEB_CONCURRENCY": "1",
            **{name: getattr(settings, name) for name in NAMES},
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tuoyu_portal.embedded_services", "run", "--serve-only"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def pids(self) -> dict[str, list[int]]:
        """Every pid the supervisor reported for each program, in order."""
        found: dict[str, list[int]] = {}
        for name, pid in STARTED.findall(self.text()):
            found.setdefault(name, []).append(int(pid))
        return found

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        for pids in self.pids().values():  # programs run in sessions of their own
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
