"""Turn the figures of one `make bench` run into docs/performance.json and docs/performance.md.

    python bench/report.py [SCALE …]     # the scales bench/run.sh measured, smallest first

Each scale's figures are in .data/bench/<scale>/ (a run of the older single-scale layout, in
.data/ itself, is read when no scale directory exists). The sections of the largest scale keep
their shape; every figure is also reported as a curve over the scales, and a figure whose cost
grows faster than its work is named (see docs/scaling.md, "Reading the curve").
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DATA = Path(".data")
DOCS = Path("docs")
# A cost may grow by this factor beyond its work before the curve names it: two runs of the same
# figure on this machine differ by up to ~1.3× (docs/scaling.md), so less would name noise.
SLACK = float(os.environ.get("BENCH_GROWTH_SLACK", "1.5"))


def load(name: str, directory: Path = DATA) -> dict[str, Any]:
    path = directory / name
    return json.loads(path.read_text()) if path.exists() else {}


def scale_dirs(argv: list[str]) -> list[tuple[str, Path]]:
    """(scale, directory) smallest first: the arguments, else every .data/bench/<scale>/."""
    names = argv or [p.name for p in (DATA / "bench").glob("*") if p.is_dir()]
    found = [(name, DATA / "bench" / name) for name in names if (DATA / "bench" / name).is_dir()]
    found.sort(key=lambda item: float(item[0]))
    return found or [("single", DATA)]


def machine() -> dict[str, Any]:
    import django
    import psycopg

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    pg = "unknown"
    pg_settings = ""
    try:
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
            pg_settings = ", ".join(
                f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}"
                for name in ("shared_buffers", "work_mem", "random_page_cost", "jit")
            )
    except Exception as exc:  # the report still gets written without the server version
        pg = f"unknown ({exc.__class__.__name__})"
    wrk = subprocess.run(["sh", "-c", "wrk -v 2>&1 | head -1"], capture_output=True, text=True)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "wrk": wrk.stdout.strip(),
        "postgresql settings": pg_settings,
        "note": os.environ.get("BENCH_NOTE", ""),
    }


def verdict(value: float | None, target: float, lower_is_better: bool = True) -> str:
    if value is None:
        return "not measured"
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "MISSED"


def table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def figures(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        "gen": load("bench_generate.json", directory),
        "meas": load("bench_measure.json", directory),
        "http": load("bench_http.json", directory),
        "push": load("bench_push.json", directory),
        "scans": load("bench_scans.json", directory),
        "notify": load("bench_notify.json", directory),
    }


def data_size(f: dict[str, dict[str, Any]]) -> float | None:
    """The work that grows with the data set: institutions generated at that scale."""
    rows = f["gen"].get("rows", {})
    return rows.get("registry_institution") or f["gen"].get("scale")


# (figure, unit, work, value, rows): work "data" grows with the data set, "page" with the rows a
# page returns (at least 1: a fixed-size answer), "flat" never (a ratio, a fixed batch of events).
# A value that is text is no number (a scan stopped at its limit): shown, never divided.
Figure = tuple[str, str, str, float | str | None, int | None]


def scale_figures(f: dict[str, dict[str, Any]]) -> list[Figure]:
    out: list[Figure] = []
    if f["gen"]:
        seconds = f["gen"].get("seconds")
        out.append(("generation", "s", "data", round(seconds, 1) if seconds else None, None))
    for e in f["meas"].get("endpoints", []):
        out.append((f"{e['endpoint']}: ratio to floor", "×", "flat", e.get("ratio"), None))
        out.append((f"{e['endpoint']}: median", "ms", "page", e.get("median_ms"), e.get("rows")))
    for p in f["meas"].get("province", []):
        work = "data" if p["figure"].startswith("stats") else "page"
        out.append((f"province {p['figure']}: p95", "ms", work, p.get("p95_ms"), p.get("rows")))
    for d in f["meas"].get("depth", []):
        out.append((f"depth {d['list']}: deep / page 1", "×", "flat", d.get("ratio"), None))
    for s in f["meas"].get("search", []):
        out.append((f"search {s['search']}: p95", "ms", "page", s.get("p95_ms"), s.get("rows")))
    for a in f["meas"].get("admin", []):
        out.append((f"admin {a['changelist']}: p95", "ms", "page", a.get("p95_ms"), None))
    for name, r in f["http"].items():
        if isinstance(r, dict) and r.get("requests_per_s"):
            # Cost per request, so that "grows" reads the same way as every other row.
            cost = round(1000 / r["requests_per_s"], 3)
            out.append((f"HTTP {name}: ms per request", "ms", "page", cost, None))
    for s in f["scans"].get("scans", []):
        # A stopped scan has no time: its cell says so, and the curve names it if it ran at a
        # smaller scale.
        seconds = s.get("seconds")
        stopped = s.get("timed_out_after_s")
        value = f"> {stopped:.0f} (stopped)" if seconds is None and stopped else seconds
        out.append((f"scan {s['scan']}", "s", "data", value, None))
    for w in f["scans"].get("web_during_scans", {}).get("rows", []):
        out.append(
            (f"{w['endpoint']}: p95 during / without scans", "×", "flat", w.get("p95_growth"), None)
        )
    batch = f"{f['push'].get('approvals')} at {f['push'].get('offered_rate_per_s')}/s"
    if f["push"].get("latency_p95_s") is not None:
        out.append((f"push latency p95 ({batch})", "s", "flat", f["push"]["latency_p95_s"], None))
    if f["notify"]:
        out.append(
            (
                f"notification latency p95 ({batch})",
                "s",
                "flat",
                f["notify"].get("latency_p95_s"),
                None,
            )
        )
    return out


def curves(per_scale: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """A row per figure, a value per scale; `faster_than_work` when the cost from the smallest
    to the largest scale grows more than its work × SLACK."""
    names = list(per_scale)
    rows: dict[str, dict[str, Any]] = {}
    sizes = {name: data_size(f) for name, f in per_scale.items()}
    for name, f in per_scale.items():
        for figure, unit, work, value, page_rows in scale_figures(f):
            row = rows.setdefault(
                figure, {"figure": figure, "unit": unit, "work": work, "values": {}, "rows": {}}
            )
            row["values"][name] = value
            row["rows"][name] = page_rows
    out = []
    for row in rows.values():
        first, last = names[0], names[-1]
        low, high = row["values"].get(first), row["values"].get(last)
        low = low if isinstance(low, int | float) else None
        high = high if isinstance(high, int | float) else None
        row["growth"] = (
            round(high / low, 2) if low and high is not None and len(names) > 1 else None
        )
        if row["work"] == "data" and sizes.get(first) and sizes.get(last):
            work_growth = sizes[last] / sizes[first]
        elif row["work"] == "page" and row["rows"].get(first) is not None:
            work_growth = max(1, row["rows"].get(last) or 0) / max(1, row["rows"][first])
        else:
            work_growth = 1.0
        row["work_growth"] = round(work_growth, 2)
        row["allowed_growth"] = round(work_growth * SLACK, 2)
        missing_last = len(names) > 1 and high is None and low is not None
        row["faster_than_work"] = bool(
            (row["growth"] is not None and row["growth"] > row["allowed_growth"]) or missing_last
        )
        if missing_last:
            row["note"] = "measured at a smaller scale, not at the largest (timed out or failed)"
        del row["rows"]
        out.append(row)
    return out


def growth_phrase(row: dict[str, Any]) -> str:
    if row["growth"] is None:
        return f"{row['figure']} (measured at a smaller scale; stopped or failed at the largest)"
    return f"{row['figure']} ({row['growth']}× for {row['work_growth']}× the work)"


def curve_section(rows: list[dict[str, Any]], scales: list[str]) -> list[str]:
    md = ["", "## The curve: every figure at every scale", ""]
    md.append(
        f"A row per figure, a column per scale (scale 1.0 = 1 000 000 institutions). Growth = "
        f"largest scale ÷ smallest; work = how much the work itself grows (the data set for "
        f"`data`, the rows on the page for `page`, nothing for `flat`). A figure is named when "
        f"growth > work × {SLACK} (BENCH_GROWTH_SLACK); the causes are in docs/scaling.md."
    )
    md.append("")
    named = [r for r in rows if r["faster_than_work"]]
    if len(scales) > 1:
        md.append(
            "**Grows faster than its work:** "
            + ("; ".join(growth_phrase(r) for r in named) or "none")
        )
        md.append("")
    md.append(
        table(
            ["figure", "unit", "work", *scales, "growth", "work growth", ""],
            [
                [
                    r["figure"],
                    r["unit"],
                    r["work"],
                    *["-" if r["values"].get(s) is None else r["values"][s] for s in scales],
                    "-" if r["growth"] is None else r["growth"],
                    r["work_growth"],
                    "GROWS FASTER" if r["faster_than_work"] else "",
                ]
                for r in rows
            ],
        )
    )
    return md


def rounds_section(endpoints: list[dict[str, Any]]) -> list[str]:
    rows = [e for e in endpoints if e.get("round_ratios")]
    md = ["", "## Hot endpoints: the median of three rounds", ""]
    md.append(
        "Each round measures every hot endpoint once, interleaved with its floor; the ratio above "
        "is the median round's, and every round's ratio is here."
    )
    md.append("")
    md.append(
        table(
            ["endpoint", "round ratios", "median", "target", ""],
            [
                [
                    e["endpoint"],
                    " / ".join(str(r) for r in e["round_ratios"]),
                    e["ratio"],
                    f"≤ {e['target']}",
                    e["status"],
                ]
                for e in rows
            ],
        )
    )
    return md


def province_section(rows: list[dict[str, Any]]) -> list[str]:
    md = ["", "## The province supervisor's view (target p95 ≤ 50 ms)", ""]
    md.append(
        table(
            ["figure", "queries", "rows", "median ms", "p95 ms", ""],
            [
                [
                    p["figure"],
                    p["queries"],
                    p["rows"],
                    p["median_ms"],
                    p["p95_ms"],
                    verdict(p["p95_ms"], p["target_p95_ms"]),
                ]
                for p in rows
            ],
        )
    )
    return md


def scans_section(data: dict[str, Any]) -> list[str]:
    md = ["", "## Beat scans (target ≤ 10 s each)", ""]
    scans = data.get("scans", [])
    if not scans:
        return [*md, "Not measured in this run."]
    md.append(
        "Each scan alone in its own process, called as its beat task calls it, on the data set "
        "above; a scan past the time limit is stopped and reported as such."
    )
    md.append("")
    md.append(
        table(
            ["scan", "seconds", "statements", "in SQL s", "result", ""],
            [
                [
                    s["scan"],
                    s["seconds"]
                    if s.get("seconds") is not None
                    else (
                        f"> {s['timed_out_after_s']:.0f} (stopped)"
                        if s.get("timed_out_after_s")
                        else "-"
                    ),
                    s.get("statements"),
                    s.get("statement_seconds"),
                    s.get("error") or s.get("result", "-"),
                    "MISSED"
                    if s.get("error") or s.get("seconds") is None
                    else verdict(s["seconds"], s["target_s"]),
                ]
                for s in scans
            ],
        )
    )
    md += ["", "### Their main queries: EXPLAIN (ANALYZE, BUFFERS)", ""]
    md.append(
        "The statements that took the most time in each scan (count × time), run again in a "
        "transaction rolled back afterwards."
    )
    md.append("")
    for s in scans:
        md += [f"**{s['scan']}**", ""]
        if s.get("running_when_killed"):
            md += ["Running when stopped:", "", "```sql", s["running_when_killed"], "```", ""]
        for q in s.get("main_statements", []):
            md.append(f"run {q['count']} times, {q['total_s']} s in all, slowest {q['max_s']} s:")
            md += ["", "```sql", q["sql"], "```", "", "```", q.get("plan", ""), "```", ""]
    during = data.get("web_during_scans", {})
    md += ["## Hot endpoints while the scans run", ""]
    md.append(
        "The same interleaved measurement as above, first with nothing else running, then while "
        "one process runs every scan over and over."
        + (
            ""
            if during.get("scans_still_running_at_end", True)
            else " (The scan process had ended before the measurement did.)"
        )
    )
    md.append("")
    md.append(
        table(
            [
                "endpoint",
                "n",
                "p95 ms without",
                "p95 ms during",
                "growth",
                "ratio without",
                "ratio during",
            ],
            [
                [
                    w["endpoint"],
                    w["iterations"],
                    w["p95_ms_without"],
                    w["p95_ms_during"],
                    w["p95_growth"],
                    w["ratio_without"],
                    w["ratio_during"],
                ]
                for w in during.get("rows", [])
            ],
        )
    )
    return md


def notify_section(notify: dict[str, Any]) -> list[str]:
    md = ["", "## Notifications after an event (approval → the operator's notification row)", ""]
    if not notify:
        return [*md, "Not measured in this run."]
    md.append(
        "The approvals of the push measurement above; latency = the operator's first "
        "notification `created_at` − the registration's `decided_at`."
    )
    md.append("")
    md.append(table(["figure", "value"], [[k, v] for k, v in notify.items()]))
    met = (notify.get("latency_p95_s") or 1e9) <= 2 and (
        notify.get("approval_rate_per_s") or 0
    ) >= 45
    md += ["", f"p95 ≤ 2 s at 50 approvals/s: **{'met' if met else 'MISSED'}**"]
    return md


def main() -> int:
    scales = scale_dirs(sys.argv[1:])
    per_scale = {name: figures(directory) for name, directory in scales}
    largest = per_scale[scales[-1][0]]
    gen, meas, http, push = largest["gen"], largest["meas"], largest["http"], largest["push"]
    scan_data, notify = largest["scans"], largest["notify"]
    info = machine()
    endpoints = [
        {
            "endpoint": e["endpoint"],
            "url": e["url"],
            "median_ms": e["median_ms"],
            "p99_ms": e["p99_ms"],
            "floor_ms": e["floor_ms"],
            "ratio": e["ratio"],
            "target": e["target"],
            "queries": e["queries"],
            "rows": e["rows"],
            "iterations": e.get("iterations"),
            "round_ratios": e.get("round_ratios"),
            "status": verdict(e["ratio"], e["target"]),
        }
        for e in meas.get("endpoints", [])
    ]
    http_rows = {k: v for k, v in http.items() if isinstance(v, dict)}
    for row in http_rows.values():
        row.pop("raw", None)
    document = {
        "machine": info,
        "generation": gen,
        "endpoints": endpoints,
        "depth": meas.get("depth", []),
        "page_size": meas.get("page_size", []),
        "search": meas.get("search", []),
        "search_plans": meas.get("search_plans", {}),
        "admin": meas.get("admin", []),
        "http": http_rows,
        "push": push,
        "scales": [name for name, _ in scales],
        "curves": curves(per_scale),
        "province": meas.get("province", []),
        "scans": scan_data.get("scans", []),
        "web_during_scans": scan_data.get("web_during_scans", {}),
        "notifications": notify,
        "per_scale": {
            name: {
                "generation": {k: v for k, v in f["gen"].items() if k != "steps"},
                "endpoints": f["meas"].get("endpoints", []),
                "province": f["meas"].get("province", []),
                "scans": [
                    {k: v for k, v in row.items() if k != "main_statements"}
                    for row in f["scans"].get("scans", [])
                ],
                "web_during_scans": f["scans"].get("web_during_scans", {}),
                "push": f["push"],
                "notifications": f["notify"],
            }
            for name, f in per_scale.items()
        },
    }
    DOCS.mkdir(exist_ok=True)
    (DOCS / "performance.json").write_text(json.dumps(document, ensure_ascii=False, indent=1))

    md = ["# Performance at province scale (generated by `make bench`)", ""]
    md.append(
        "Every figure below comes from one run of `make bench` on this machine; "
        "`docs/performance.json` holds the same numbers. Fixes and the gaps left are in "
        "docs/scaling.md."
    )
    md += ["", "## Machine", ""]
    md.append(table(["item", "value"], [[k, v] for k, v in info.items()]))
    md += curve_section(document["curves"], document["scales"])
    md += ["", f"Every section below is the largest scale ({document['scales'][-1]}).", ""]
    md += ["## Data set", ""]
    if gen:
        md.append(
            f"Generated with set-based SQL in **{gen['seconds']:.0f} s** "
            f"(target < 300 s: {verdict(gen['seconds'], 300)}), scale {gen['scale']}."
        )
        md.append("")
        md.append(table(["table", "rows"], [[t, f"{n:,}"] for t, n in gen["rows"].items()]))
        md.append("")
        md.append(table(["step", "seconds"], [[s, f"{t:.1f}"] for s, t in gen["steps"]]))
    md += ["", "## Endpoints against their floor", ""]
    md.append(
        "Endpoint: Django test client, in-process. Floor: the same SQL with psycopg plus orjson "
        "of the page. Interleaved, after warm-up; ratio = endpoint median / floor median; "
        "n = iterations of each. Hot endpoints (target ≤ 3) as the county's reviewer, registrar "
        "and inspector; other lists (target ≤ 8). DEBUG off, prepared statements on, public "
        "response cache off (it is measured over HTTP below)."
    )
    md.append("")
    md.append(
        table(
            [
                "endpoint",
                "n",
                "queries",
                "rows",
                "median ms",
                "p99 ms",
                "floor ms",
                "ratio",
                "target",
                "",
            ],
            [
                [
                    e["endpoint"],
                    e["iterations"],
                    e["queries"],
                    e["rows"],
                    e["median_ms"],
                    e["p99_ms"],
                    e["floor_ms"],
                    e["ratio"],
                    f"≤ {e['target']}",
                    e["status"],
                ]
                for e in endpoints
            ],
        )
    )
    md += ["", "## Depth: page 1 against a deep page (cursor pagination)", ""]
    md.append(
        table(
            ["list", "deep page", "page 1 ms", "deep ms", "ratio (≤ 1.5)", "queries 1 / deep"],
            [
                [
                    d["list"],
                    d["page"],
                    d["page1_median_ms"],
                    d["deep_median_ms"],
                    d["ratio"],
                    f"{d['queries_page1']} / {d['queries_deep']}",
                ]
                for d in meas.get("depth", [])
            ],
        )
    )
    md += ["", "## Queries per page: 1 row against 50 rows", ""]
    md.append(
        table(
            ["endpoint", "queries (1 row)", "queries (50 rows)", "rows returned"],
            [
                [s["endpoint"], s["queries_1"], s["queries_50"], s["rows_50"]]
                for s in meas.get("page_size", [])
            ],
        )
    )
    md += ["", "## Public name search (target p95 ≤ 50 ms)", ""]
    md.append(
        table(
            ["search", "query", "rows", "median ms", "p95 ms", ""],
            [
                [
                    s["search"],
                    f"`{s['query']}`",
                    s["rows"],
                    s["median_ms"],
                    s["p95_ms"],
                    verdict(s["p95_ms"], 50),
                ]
                for s in meas.get("search", [])
            ],
        )
    )
    md += ["", "### Plans", ""]
    for name, plan in meas.get("search_plans", {}).items():
        md += [f"**{name}**", "", "```", plan, "```", ""]
    md += ["## Admin changelists (target ≤ 300 ms server time)", ""]
    md.append(
        table(
            ["changelist", "queries", "median ms", "p95 ms", ""],
            [
                [
                    a["changelist"],
                    a.get("queries", "-"),
                    a.get("median_ms", a.get("error")),
                    a.get("p95_ms", "-"),
                    verdict(a.get("p95_ms"), 300),
                ]
                for a in meas.get("admin", [])
            ],
        )
    )
    md += ["", "## Over HTTP: gunicorn, 2 sync workers, wrk -t2 on loopback, 10 s", ""]
    md.append(
        "Targets: ≥ 500 req/s and p99 ≤ 40 ms. Two sync workers serve one request each at a "
        "time, so beyond a few connections wrk measures its own queue (mean latency = "
        "connections ÷ throughput); the 16-connection and cache-off rows are for comparison."
    )
    md.append("")
    md.append(
        table(
            ["run", "connections", "response cache", "req/s", "p50 ms", "p99 ms", "non-2xx", ""],
            [
                [
                    f"{name} (`{r.get('url')}`)",
                    r.get("connections"),
                    "on" if r.get("response_cache") else "off",
                    r.get("requests_per_s"),
                    r.get("p50_ms"),
                    r.get("p99_ms"),
                    r.get("non_2xx"),
                    "met"
                    if (r.get("requests_per_s") or 0) >= 500 and (r.get("p99_ms") or 1e9) <= 40
                    else "MISSED",
                ]
                for name, r in http_rows.items()
            ],
        )
    )
    md += ["", "## Push throughput (approval → outbox → Celery → health inbox)", ""]
    if push:
        md.append(table(["figure", "value"], [[k, v] for k, v in push.items()]))
        met = (push.get("latency_p95_s") or 1e9) <= 2 and (
            push.get("approval_rate_per_s") or 0
        ) >= 45
        md.append("")
        md.append(f"p95 ≤ 2 s at 50 approvals/s: **{'met' if met else 'MISSED'}**")
    else:
        md.append("Not measured in this run (see docs/scaling.md).")
    md += rounds_section(endpoints)
    md += province_section(meas.get("province", []))
    md += scans_section(scan_data)
    md += notify_section(notify)
    (DOCS / "performance.md").write_text("\n".join(md) + "\n")
    print("wrote docs/performance.md and docs/performance.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
