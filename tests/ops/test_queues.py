"""Each kind of Celery work has its own queue and its own worker (Procfile, docker-compose.yml)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tuoyu_portal.celery import NOTIFICATIONS, PUSHES, QUEUES, SCANS, app
from tuoyu_portal.embedded_services import PROCFILE, read_procfile

ROOT = Path(__file__).resolve().parents[2]


def explicit_queue(name: str) -> str | None:
    """The queue a task_routes entry names for the task, ignoring the default queue."""
    for route in app.amqp.routes:
        found = route(name)
        if found:
            return str(found["queue"])
    return None


def project_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_every_task_is_routed_to_a_queue_of_its_kind() -> None:
    names = project_tasks()
    assert "tuoyu_portal.exchange.tasks.deliver_outbox_event" in names
    unrouted = [name for name in names if explicit_queue(name) not in QUEUES]
    assert not unrouted, f"route these in tuoyu_portal/celery.py: {unrouted}"
    assert explicit_queue("tuoyu_portal.exchange.tasks.deliver_outbox_event") == PUSHES
    assert explicit_queue("tuoyu_portal.exchange.tasks.sweep_outbox") == PUSHES
    assert explicit_queue("registry.tasks.notify_watchers") == NOTIFICATIONS
    assert explicit_queue("subsidies.tasks.send_attendance_links") == NOTIFICATIONS


def test_every_beat_scan_runs_on_the_scans_queue() -> None:
    sweeps = {"tuoyu_portal.exchange.tasks.sweep_outbox": PUSHES}
    sweeps["registry.tasks.sweep_watch_events"] = NOTIFICATIONS
    for entry in app.conf.beat_schedule.values():
        assert explicit_queue(entry["task"]) == sweeps.get(entry["task"], SCANS), entry["task"]


def worker_queues(command: str) -> str | None:
    if " worker " not in f" {command} ":
        return None
    found = re.search(r"--queues[= ](\S+)", command)
    assert found, f"a worker without --queues consumes only the default queue: {command}"
    return found.group(1)


def test_the_procfile_runs_one_worker_per_queue() -> None:
    queues = [worker_queues(p.command) for p in read_procfile(PROCFILE)]
    assert sorted(q for q in queues if q) == sorted(QUEUES)


def test_docker_compose_runs_one_worker_per_queue() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    queues = []
    for service in compose["services"].values():
        command = service.get("command")
        if isinstance(command, list):
            queues.append(worker_queues(" ".join(command)))
    assert sorted(q for q in queues if q) == sorted(QUEUES)
