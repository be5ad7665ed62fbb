"""Public search over HTTP: gunicorn with 2 workers, `wrk` on loopback for 10 s.

Writes .data/bench_http.json with req/s and the latency percentiles wrk reports.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

OUT = Path(os.environ.get("BENCH_HTTP_OUT", ".data/bench_http.json"))
PORT = int(os.environ.get("BENCH_HTTP_PORT", "8099"))
SEARCH = "/api/v1/public/facilities/?q=" + quote("阳光")
# (name, path, connections, public cache on?). Two sync workers serve one request each at a
# time: 4 connections keep both busy with one waiting; 16 mostly measure the accept queue
# (latency = connections / throughput), reported for comparison.
RUNS = [
    ("public search q=阳光", SEARCH, 4, True),
    ("public list (no filter)", "/api/v1/public/facilities/", 4, True),
    ("public search q=阳光, 16 connections", SEARCH, 16, True),
    ("public search q=阳光, response cache off", SEARCH, 4, False),
]


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse(output: str) -> dict[str, float]:
    result: dict[str, float] = {}
    for pct in ("50", "75", "90", "99"):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        if found:
            result[f"p{pct}_ms"] = round(to_ms(found.group(1)), 2)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["requests_per_s"] = float(rps.group(1)) if rps else 0.0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    return result


def main() -> int:
    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk is not installed: apt-get install -y wrk (make bench installs it as root)")
        OUT.write_text(json.dumps({"error": "wrk not installed"}))
        return 0
    results: dict[str, object] = {"workers": 2, "duration_s": 10, "threads": 2}
    for cache_on in (True, False):
        runs = [r for r in RUNS if r[3] is cache_on]
        # wrk is one client address: the per-address search limit (60/min) would answer 429.
        env = {
            **os.environ,
            "DEBUG": "0",
            "TWO_FACTOR_REQUIRED": "0",
            "DB_CONN_MAX_AGE": "600",
            "SECURE_SSL_REDIRECT": "0",
            "RATE_LIMIT_SEARCH": "100000000/m",
            "PUBLIC_CACHE_SECONDS": "60" if cache_on else "0",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tuoyu_portal.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{PORT}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except Exception:
                    time.sleep(0.2)
            for name, path, connections, _cache in runs:
                for _ in range(20):  # warm both workers' connections and caches
                    urllib.request.urlopen(base + path, timeout=5).read()
                run = subprocess.run(
                    [wrk, "-t2", f"-c{connections}", "-d10s", "--latency", base + path],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[name] = {
                    "url": path,
                    "connections": connections,
                    "response_cache": cache_on,
                    **parse(run.stdout),
                    "raw": run.stdout,
                }
                print(name, {k: v for k, v in results[name].items() if k != "raw"}, flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
