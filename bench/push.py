"""Push throughput: approvals → outbox → one Celery worker → health inbox.

    python bench/push.py [--approvals 500] [--rate 50]

Creates `approvals` submitted registrations in one county (valid credit codes, through the test
factories so every rule passes), starts one Celery worker (`-c 1`), approves them through the
real service at `rate` per second from this process, and waits for every inbox row. Latency is
inbox `received_at` − registration `decided_at`. Writes .data/bench_push.json.

The same approvals measure the notification after an event (api.md 1.1): each institution has
an operator member, and the latency is the operator's first notification row `created_at` −
`decided_at`, waited for `--notify-timeout` seconds after the last push. Writes
.data/bench_notify.json (BENCH_NOTIFY_OUT).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu_portal.settings")
os.environ.setdefault("TWO_FACTOR_REQUIRED", "0")

import django  # noqa: E402

django.setup()

from stdnum.cn import uscc  # noqa: E402

from registry.models import HealthInboxEntry, Membership, Registration  # noqa: E402
from registry.services.registrations import approve_registration  # noqa: E402
from tests import factories  # noqa: E402
from tuoyu_portal.accounts.models import Role, User  # noqa: E402
from tuoyu_portal.notifications.models import Notification  # noqa: E402

OUT = Path(os.environ.get("BENCH_PUSH_OUT", ".data/bench_push.json"))
NOTIFY_OUT = Path(os.environ.get("BENCH_NOTIFY_OUT", ".data/bench_notify.json"))
COUNTY = "371103"


def credit_codes(n: int) -> list[str]:
    """Valid, unused for-profit USCCs (91 + county + organisation code + check)."""
    rng = random.Random(2026)
    taken = set(Registration.objects.exclude(credit_code="").values_list("credit_code", flat=True))
    codes: list[str] = []
    while len(codes) < n:
        body = "91" + COUNTY + "".join(rng.choice("0123456789") for _ in range(9))
        code = body + uscc.calc_check_digit(body)
        if uscc.is_valid(code) and code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--approvals", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--notify-timeout", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=4, help="concurrent approving registrars")
    # As deployed (Procfile, docker-compose.yml): one worker, one pool process per core.
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's pool processes")
    args = parser.parse_args()
    registrar, _ = User.objects.update_or_create(
        username="bench_push_registrar",
        defaults={"role": Role.REGISTRAR, "region_id": COUNTY, "authority": "scjg"},
    )
    codes = credit_codes(args.approvals)
    regs = [
        factories.SubmittedRegistrationFactory(credit_code=code, authority="scjg") for code in codes
    ]
    # The operator an approval concerns: one member account per institution, as registered.
    operators: dict[int, int] = {}
    for n, reg in enumerate(regs):
        operator, _ = User.objects.update_or_create(
            username=f"bench_push_operator_{n}",
            defaults={"role": Role.OPERATOR, "region_id": COUNTY, "is_active": True},
        )
        Membership.objects.get_or_create(
            institution_id=reg.institution_id, user=operator, defaults={"is_owner": True}
        )
        operators[reg.pk] = operator.pk
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tuoyu_portal",
            "worker",
            "-c",
            str(args.concurrency),
            "--queues",
            "pushes",
            "--loglevel",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=dict(os.environ),
    )
    try:
        time.sleep(5)  # worker start-up
        started = time.monotonic()
        interval = 1.0 / args.rate

        # Approvals come from many registrars at once: a few threads (each with its own,
        # kept connection, like a web worker's) keep the offered rate even when one approval
        # takes longer than 1/rate seconds.
        def approve(reg: Registration) -> None:
            approve_registration(reg, actor=registrar)

        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            futures = []
            for n, reg in enumerate(regs):
                delay = started + n * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(approve, reg))
            for future in futures:
                future.result()
        submit_seconds = time.monotonic() - started
        ids = [r.pk for r in regs]
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            done = HealthInboxEntry.objects.filter(registration_id__in=ids).count()
            if done >= len(ids):
                break
            time.sleep(0.5)
        total_seconds = time.monotonic() - started
        notify_deadline = time.monotonic() + args.notify_timeout
        while time.monotonic() < notify_deadline:
            if notified_count(operators) >= len(ids):
                break
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    decided = dict(Registration.objects.filter(pk__in=ids).values_list("pk", "decided_at"))
    latencies = [
        (received - decided[reg_id]).total_seconds()
        for reg_id, received in HealthInboxEntry.objects.filter(
            registration_id__in=ids
        ).values_list("registration_id", "received_at")
    ]
    result = {
        "approvals": len(ids),
        "offered_rate_per_s": args.rate,
        "approval_rate_per_s": round(len(ids) / submit_seconds, 1),
        "delivered": len(latencies),
        "end_to_end_per_s": round(len(latencies) / total_seconds, 1) if latencies else 0,
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(pct(latencies, 0.95), 3) if latencies else None,
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "target": "p95 ≤ 2 s at 50 approvals/s",
        "worker": f"1 Celery worker on the pushes queue, concurrency {args.concurrency} (as in the Procfile)",
        "approving_threads": args.threads,
    }
    print(result)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1))
    notified = notification_latencies(operators, decided)
    notify_result = {
        "approvals": len(ids),
        "approval_rate_per_s": result["approval_rate_per_s"],
        "notified": len(notified),
        "latency_p50_s": round(statistics.median(notified), 3) if notified else None,
        "latency_p95_s": round(pct(notified, 0.95), 3) if len(notified) == len(ids) else None,
        "latency_max_s": round(max(notified), 3) if notified else None,
        "waited_s": args.notify_timeout,
        "target": "p95 ≤ 2 s at 50 approvals/s",
    }
    if len(notified) < len(ids):
        notify_result["note"] = (
            f"{len(ids) - len(notified)} of {len(ids)} operators had no notification "
            f"{args.notify_timeout:.0f} s after the last push"
        )
    print(notify_result)
    NOTIFY_OUT.write_text(json.dumps(notify_result, ensure_ascii=False, indent=1))
    return 0


def notified_count(operators: dict[int, int]) -> int:
    return (
        Notification.objects.filter(recipient_id__in=operators.values())
        .values("recipient_id")
        .distinct()
        .count()
    )


def notification_latencies(operators: dict[int, int], decided: dict[int, Any]) -> list[float]:
    """Per approval: its operator's first notification after the decision, in seconds."""
    first: dict[int, Any] = {}
    for recipient, created in Notification.objects.filter(
        recipient_id__in=operators.values()
    ).values_list("recipient_id", "created_at"):
        first[recipient] = min(created, first.get(recipient, created))
    return [
        (first[user] - decided[reg]).total_seconds()
        for reg, user in operators.items()
        if user in first and decided.get(reg) is not None
    ]


if __name__ == "__main__":
    sys.exit(main())
