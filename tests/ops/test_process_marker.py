"""The `processes` selection stays true: .ci/run re-runs `-m processes` with the embedded
services, so a test module that starts a worker, gunicorn, make run's supervisor or the pg tools
must carry the marker."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
STARTS_PROCESSES = re.compile(r"subprocess|Popen|Stack\(|make_backup|restore_backup")
SERVICES = re.compile(r"celery|gunicorn|embedded_services|pg_dump|pg_restore|make_backup|Stack\(")


def test_every_module_that_starts_service_processes_is_marked() -> None:
    unmarked = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if "e2e" in path.parts or path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        starts_services = STARTS_PROCESSES.search(text) and SERVICES.search(text)
        if starts_services and "pytest.mark.processes" not in text:
            unmarked.append(str(path.relative_to(TESTS)))
    assert not unmarked, f"mark these with pytest.mark.processes: {unmarked}"
