"""The beat scans at scale: how long each takes, its main queries' plans, and the web meanwhile.

    python bench/scans.py [--timeout 120] [--iterations 300]

1. Each scan the beat schedule runs (tuoyu_portal/celery.py) is called alone in a child process
   (`--run NAME`), as its task calls it, with a statement recorder on the connection. The child
   reports its own wall time; a scan past `--timeout` is killed and reported as such (target
   ≤ 10 s), with the statements it had run so far.
2. The statements that took the most time (three per scan) are run again under
   EXPLAIN (ANALYZE, BUFFERS) in a transaction that is rolled back, so a write scan changes
   nothing the second time.
3. The hot endpoints are measured interleaved with their floor (bench/measure.py) twice: without a
   scan, then while a child runs every scan over and over (`--loop`); p95 and ratio side by side.

Writes .data/bench_scans.json (BENCH_SCANS_OUT); bench/report.py puts it into docs/performance.*.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu_portal.settings")
os.environ.setdefault("TWO_FACTOR_REQUIRED", "0")

OUT = Path(os.environ.get("BENCH_SCANS_OUT", ".data/bench_scans.json"))
# A scan that loads every row into memory must fail alone, not take the shared machine down.
MEMORY_LIMIT_GB = float(os.environ.get("BENCH_SCAN_MEMORY_GB", "4"))
TARGET_S = 10.0
PLANS_PER_SCAN = 3


def scan_functions() -> dict[str, Callable[[], Any]]:
    """The beat schedule's scans, each called the way its task calls it."""
    from inspections import scans as inspection_scans
    from inspections.services import findings
    from registry import scans as registry_scans
    from registry.services import reconciliation

    # Events (decisions, submissions, complaints) are notified by their services, not scanned.
    return {
        "notifications: findings": inspection_scans.scan_findings,
        "notifications: expiries (certificates, leases)": registry_scans.scan_expiries,
        "notifications: overdue clocks": registry_scans.scan_overdue_clocks,
        "overdue findings (flag, escalate)": findings.flag_overdue_findings,
        "reconciliation": lambda: reconciliation.reconcile_registrations().mismatch_count,
    }


class Recorder:
    """execute_wrapper: per statement shape (SQL before its parameters), count, time and one
    executable example; written to `path` at most once a second so a killed child leaves it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shapes: dict[str, dict[str, Any]] = {}
        self.running: str | None = None
        self.written = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        shape = self.shapes.get(sql)
        if shape is None:
            shape = self.shapes[sql] = {"count": 0, "total_s": 0.0, "max_s": 0.0, "example": None}
        self.running = sql
        self.flush()
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            shape["count"] += 1
            shape["total_s"] += took
            shape["max_s"] = max(shape["max_s"], took)
            if shape["example"] is None and not many:
                shape["example"] = literal(context, sql, params)
            self.running = None
            self.flush()

    def flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.written < 1.0:
            return
        self.written = now
        self.path.write_text(
            json.dumps({"running": self.running, "shapes": self.shapes}, ensure_ascii=False)
        )


def literal(context: Any, sql: str, params: Any) -> str | None:
    """The statement with its parameters inlined, as PostgreSQL can run it again."""
    try:
        connection = context["connection"]
        return str(connection.ops.last_executed_query(context["cursor"].cursor, sql, params))
    except Exception:  # an example is a nicety: the timing stands without it
        return None


def limit_memory() -> None:
    limit = int(MEMORY_LIMIT_GB * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_child(name: str, statements: Path) -> int:
    """`--run NAME`: one scan, timed here, statements recorded into `statements`."""
    import django

    limit_memory()
    django.setup()
    from django.db import connection

    recorder = Recorder(statements)
    function = scan_functions()[name]
    # A beat worker is long-lived: its URL patterns and catalogue are loaded before any scan.
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018
    with translation.override("zh-hans"):
        translation.gettext("备案")
    connection.ensure_connection()
    with connection.execute_wrapper(recorder):
        started = time.perf_counter()
        try:
            value: Any = function()
            error = None
        except BaseException as exc:  # reported as the scan's figure, not a crash of the run
            value, error = None, f"{type(exc).__name__}: {exc}"[:300]
        seconds = time.perf_counter() - started
    recorder.flush(force=True)
    print(json.dumps({"seconds": seconds, "result": str(value), "error": error}), flush=True)
    return 0


def run_loop() -> int:
    """`--loop`: every scan, again and again, until killed (the load during the web figures)."""
    import django

    limit_memory()
    django.setup()
    from django.db import close_old_connections

    functions = scan_functions()
    while True:
        for function in functions.values():
            try:
                function()
            except Exception:  # a failing scan still leaves the others running
                close_old_connections()


def time_scan(name: str, timeout: float, work: Path) -> dict[str, Any]:
    statements = work / "statements.json"
    statements.unlink(missing_ok=True)
    child = subprocess.Popen(
        [sys.executable, __file__, "--run", name, "--statements", str(statements)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    row: dict[str, Any] = {"scan": name, "target_s": TARGET_S}
    try:
        out, _ = child.communicate(timeout=timeout + 30)  # + Django start-up
        report = json.loads(out.strip().splitlines()[-1])
        row.update(seconds=round(report["seconds"], 3), result=report["result"])
        if report["error"]:
            row["error"] = report["error"]
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        row.update(seconds=None, timed_out_after_s=timeout)
    except (ValueError, IndexError, KeyError):
        row.update(seconds=None, error=f"scan process ended with code {child.returncode}")
    recorded = json.loads(statements.read_text()) if statements.exists() else {}
    statements.unlink(missing_ok=True)
    shapes = recorded.get("shapes", {})
    row["statements"] = sum(s["count"] for s in shapes.values())
    row["statement_seconds"] = round(sum(s["total_s"] for s in shapes.values()), 3)
    running = recorded.get("running")
    main = sorted(
        (s for sql, s in shapes.items() if s["example"] and is_query(sql)),
        key=lambda s: -s["total_s"],
    )[:PLANS_PER_SCAN]
    row["main_statements"] = [
        {
            "count": s["count"],
            "total_s": round(s["total_s"], 3),
            "max_s": round(s["max_s"], 3),
            "sql": s["example"],
        }
        for s in main
    ]
    if running and running in shapes and shapes[running]["example"]:
        row["running_when_killed"] = shapes[running]["example"]
    return row


def is_query(sql: str) -> bool:
    """A statement worth a plan: reads and set writes over the data, not a one-row INSERT or the
    driver's catalogue look-ups."""
    first = sql.lstrip().split(None, 1)[0].upper()
    return first in {"SELECT", "WITH", "UPDATE", "DELETE"} and " pg_type " not in sql


def explain(conninfo: str, sql: str, timeout_s: float) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of `sql`, rolled back (a write scan's UPDATE changes nothing)."""
    import psycopg

    try:
        with psycopg.connect(conninfo) as conn:
            conn.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
            rows = conn.execute(("EXPLAIN (ANALYZE, BUFFERS) " + sql).encode()).fetchall()
            conn.rollback()
            return "\n".join(row[0] for row in rows)
    except Exception as exc:  # a plan that cannot be taken is reported, not fatal
        return f"(no plan: {type(exc).__name__}: {str(exc)[:200]})"


def web_during_scans(iterations: int) -> dict[str, Any]:
    """Hot endpoints interleaved with their floor: without a scan, then with scans running."""
    import measure  # bench/measure.py: same endpoints, users and floor

    users = measure.bench_users()
    clients = {key: measure.client_for(user) for key, user in users.items()}
    county, province = users["reviewer"].region_id, users["supervisor"].region_id
    hot = [
        spec
        for spec in measure.hot_endpoints(clients, measure.Client(), county, province)
        if spec[3] == "hot"
    ]
    floor = measure.Floor()
    rows: dict[str, dict[str, Any]] = {}
    for name, client, url, _kind in hot:
        print(f"  without a scan: {name}", flush=True)
        rows[name] = {
            "endpoint": name,
            "without": measure.measure_pair(client, url, floor, iterations),
        }
    loop = subprocess.Popen([sys.executable, __file__, "--loop"], start_new_session=True)
    try:
        time.sleep(3)  # Django start-up: the first scan is under way before the first sample
        for name, client, url, _kind in hot:
            print(f"  during scans: {name}", flush=True)
            rows[name]["during"] = measure.measure_pair(client, url, floor, iterations)
        still_running = loop.poll() is None
    finally:
        os.killpg(loop.pid, signal.SIGKILL)
        loop.wait()
    out = []
    for row in rows.values():
        without, during = row["without"], row["during"]
        out.append(
            {
                "endpoint": row["endpoint"],
                "iterations": iterations,
                "p95_ms_without": without["p95_ms"],
                "p95_ms_during": during["p95_ms"],
                "p95_growth": round(during["p95_ms"] / without["p95_ms"], 2)
                if without["p95_ms"]
                else None,
                "ratio_without": without["ratio"],
                "ratio_during": during["ratio"],
            }
        )
    return {"rows": out, "scans_still_running_at_end": still_running}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--statements", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--timeout", type=float, default=float(os.environ.get("BENCH_SCAN_TIMEOUT", "120"))
    )
    parser.add_argument(
        "--iterations", type=int, default=int(os.environ.get("BENCH_SCAN_ITERATIONS", "300"))
    )
    args = parser.parse_args()
    if args.run:
        return run_child(args.run, args.statements)
    if args.loop:
        return run_loop()

    # bench/measure.py sets Django up as the in-process figures need it (response cache off).
    import measure  # noqa: F401

    from tuoyu_portal.service_urls import conninfo_from_settings

    conninfo = conninfo_from_settings()
    work = OUT.parent
    work.mkdir(parents=True, exist_ok=True)
    scans = []
    for name in scan_functions():
        print(f"scan {name}", flush=True)
        row = time_scan(name, args.timeout, work)
        for statement in row["main_statements"]:
            statement["plan"] = explain(conninfo, statement["sql"], args.timeout)
        scans.append(row)
        print(f"  {row['seconds']} s, {row['statements']} statements", flush=True)
    print("hot endpoints without and during the scans", flush=True)
    during = web_during_scans(args.iterations)
    OUT.write_text(
        json.dumps({"scans": scans, "web_during_scans": during}, ensure_ascii=False, indent=1)
    )
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
