"""The Celery app and the whole beat schedule, in one place (style.md §8)."""

from __future__ import annotations

import os
import warnings
from typing import Any

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.schedules import crontab
from celery.signals import setup_logging, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu_portal.settings")

app = Celery("tuoyu_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One queue per kind of work, each with its own worker (Procfile, docker-compose.yml), so a long
# scan never holds a pool slot a push is waiting for. Every task is routed by name; a test checks
# that none is left to the default queue.
PUSHES = "pushes"  # deliveries to the health department and the outbox sweep that re-queues them
NOTIFICATIONS = "notifications"  # messages to a person after one event
SCANS = "scans"  # beat scans and rebuilds that read whole tables
QUEUES = (PUSHES, NOTIFICATIONS, SCANS)
app.conf.task_default_queue = NOTIFICATIONS
app.conf.task_routes = {
    "tuoyu_portal.exchange.tasks.*": {"queue": PUSHES},
    "registry.tasks.notify_watchers": {"queue": NOTIFICATIONS},
    "registry.tasks.send_watch_confirmation": {"queue": NOTIFICATIONS},
    "registry.tasks.sweep_watch_events": {"queue": NOTIFICATIONS},
    "subsidies.tasks.send_attendance_links": {"queue": NOTIFICATIONS},
    "notifications.tasks.*": {"queue": SCANS},
    "inspections.tasks.*": {"queue": SCANS},
    "tuoyu_portal.audit.tasks.*": {"queue": SCANS},
    "registry.tasks.reconcile_registrations": {"queue": SCANS},
    "registry.tasks.rebuild_open_data": {"queue": SCANS},
    "registry.tasks.refresh_open_data": {"queue": SCANS},
    "registry.tasks.remind_stale_vacancies": {"queue": SCANS},
    "subsidies.tasks.remind_attendance": {"queue": SCANS},
}

# Celery warns about a root worker even when C_FORCE_ROOT says the operator chose it (make run
# as root in a container or CI; JSON only, so no pickle). The choice is stated once, in the
# environment; production runs the worker as a user of its own and never sets it (README).
if os.environ.get("C_FORCE_ROOT"):
    warnings.filterwarnings(
        "ignore", message="You're running the worker with superuser", category=SecurityWarning
    )


@setup_logging.connect
def _django_logging(loglevel: int | str | None = None, **_kwargs: Any) -> None:
    """Worker and beat log through settings.LOGGING, so their lines carry the same clock
    (Beijing time with offset) and the same personal-data redaction as the web's; --loglevel
    still sets the level."""
    import logging
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@task_prerun.connect
def _fresh_enough_connection(**_kwargs: Any) -> None:
    """Connections are reused across tasks (CELERY_DB_REUSE_MAX); before each task Django drops
    one that is past CONN_MAX_AGE or broken, as it does between web requests."""
    from django.db import close_old_connections

    close_old_connections()


app.conf.beat_schedule = {
    # Every 30 s: re-queue outbox rows left pending (broker was down at commit time, a worker died
    # mid-delivery, or a retry is due). This is what makes the push survive broker outages.
    "exchange-sweep-outbox": {
        "task": "tuoyu_portal.exchange.tasks.sweep_outbox",
        "schedule": 30.0,
    },
    # Nightly 02:10 Beijing time: approved registrations vs received events vs filings per county.
    "registry-reconcile-registrations": {
        "task": "registry.tasks.reconcile_registrations",
        "schedule": crontab(hour=2, minute=10),
    },
    # Daily 01:30 Beijing time: findings past their rectification deadline are flagged overdue and
    # escalated once to the county health bureau (idempotent: escalated rows are skipped).
    "inspections-flag-overdue-findings": {
        "task": "inspections.tasks.flag_overdue_findings",
        "schedule": crontab(hour=1, minute=30),
    },
    # Audit trail (tuoyu_portal/audit), daily 00:20 Beijing time: seal yesterday's events into the
    # hash chain (catches up any missed day; idempotent).
    "audit-daily-checkpoint": {
        "task": "tuoyu_portal.audit.tasks.checkpoint_audit_chain",
        "schedule": crontab(hour=0, minute=20),
    },
    # Daily 03:40: purge sealed audit events past AUDIT_RETENTION_DAYS (idempotent).
    "audit-retention-purge": {
        "task": "tuoyu_portal.audit.tasks.purge_expired_audit_events",
        "schedule": crontab(hour=3, minute=40),
    },
    # Notifications (tuoyu_portal.notifications): each scan is idempotent per (recipient, event),
    # so overlapping or repeated runs never send twice.
    # Every 15 min: supplement requests, receipts issued, nonconformity notices → operators.
    "notifications-filing-events": {
        "task": "notifications.tasks.notify_filing_events",
        "schedule": crontab(minute="*/15"),
    },
    # Every 15 min: claim decisions → operators.
    "notifications-claim-decisions": {
        "task": "notifications.tasks.notify_claim_decisions",
        "schedule": crontab(minute="7-59/15"),
    },
    # Daily 07:40 Beijing time: new findings, coming and passed rectification deadlines.
    "notifications-findings": {
        "task": "notifications.tasks.notify_findings",
        "schedule": crontab(hour=7, minute=40),
    },
    # Daily 07:50: health certificates and leases ending within notify_expiry_days.
    "notifications-expiries": {
        "task": "notifications.tasks.notify_expiries",
        "schedule": crontab(hour=7, minute=50),
    },
    # Parents. Daily 09:00 Beijing time: a fresh attendance link to parents who have
    # not answered within attendance_reminder_days (one link per line and day at most).
    "subsidies-remind-attendance": {
        "task": "subsidies.tasks.remind_attendance",
        "schedule": crontab(hour=9, minute=0),
    },
    # Monthly, the 1st at 08:00: operators whose published free places are stale update them.
    "registry-remind-stale-vacancies": {
        "task": "registry.tasks.remind_stale_vacancies",
        "schedule": crontab(day_of_month=1, hour=8, minute=0),
    },
    # Every 10 min: rebuild the open data files if the register changed and no task did it.
    "registry-refresh-open-data": {
        "task": "registry.tasks.refresh_open_data",
        "schedule": crontab(minute="*/10"),
    },
    # Every minute: watch events whose delivery task was lost (broker down at commit).
    "registry-sweep-watch-events": {
        "task": "registry.tasks.sweep_watch_events",
        "schedule": 60.0,
    },
    # Working mornings 08:30: reviewers hear about their county's overdue filing clocks.
    "notifications-overdue-clocks": {
        "task": "notifications.tasks.notify_overdue_clocks",
        "schedule": crontab(hour=8, minute=30),
    },
}
