"""Two portals on one machine do not interfere (gunicorn's control socket, SITE_URL, beat)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.exchange.brokers import free_port, wait_for
from tests.ops.stack import ROOT, http_status
from tuoyu_portal.embedded_services import PROCFILE, read_procfile

pytestmark = pytest.mark.processes


def procfile_command(name: str) -> str:
    return next(p.command for p in read_procfile(PROCFILE) if p.name == name)


@pytest.fixture
def start_web(tmp_path: Path) -> Iterator[Callable[[int], subprocess.Popen[bytes]]]:
    """The Procfile's web line, as make run starts it, with a home directory of its own."""
    started: list[subprocess.Popen[bytes]] = []
    home = tmp_path / "home"
    home.mkdir()

    def start(port: int) -> subprocess.Popen[bytes]:
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "SITE_URL")},
            "HOME": str(home),
            "PORT": str(port),
            "TESTING": "1",
            "WEB_CONCURRENCY": "1",
        }
        proc = subprocess.Popen(
            ["/bin/sh", "-c", "exec " + procfile_command("web")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def test_two_webs_share_no_control_socket_and_one_stopping_leaves_the_other_serving(
    start_web: Callable[[int], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    first_port, second_port = free_port(), free_port()
    first = start_web(first_port)
    start_web(second_port)
    for port in (first_port, second_port):
        wait_for(lambda port=port: http_status(f"http://127.0.0.1:{port}/") == 200, 60, "web")
    # gunicorn's default control socket is ~/.gunicorn/gunicorn.ctl, shared by every instance
    # of the user: the second took it over and deleted it when it stopped.
    assert not (tmp_path / "home" / ".gunicorn").exists()
    os.killpg(first.pid, signal.SIGTERM)
    first.wait(30)
    assert http_status(f"http://127.0.0.1:{second_port}/") == 200
    assert http_status(f"http://127.0.0.1:{first_port}/", timeout=1) == 0


def site_url_in_child(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    code = (
        "import os, json; os.environ['DJANGO_SETTINGS_MODULE'] = 'tuoyu_portal.settings';"
        "import django; django.setup();"
        "from django.conf import settings; from registry.receipts import verify_url;"
        "print(json.dumps({'site': settings.SITE_URL, 'qr': verify_url('371103-2026-00001')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "TESTING": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def test_site_url_follows_the_port_the_portal_serves_on_unless_set() -> None:
    on_8100 = site_url_in_child(PORT="8100")
    assert on_8100 == {
        "site": "http://127.0.0.1:8100",
        "qr": "http://127.0.0.1:8100/verify/371103-2026-00001/",
    }
    assert site_url_in_child()["site"] == "http://127.0.0.1:8000"
    assert (
        site_url_in_child(PORT="8100", SITE_URL="https://tuoyu.example.gov.cn/")["site"]
        == "https://tuoyu.example.gov.cn"
    )


def test_each_port_keeps_its_own_beat_schedule() -> None:
    beat = procfile_command("beat")
    assert "${PORT" in beat.split("--schedule", 1)[1]
