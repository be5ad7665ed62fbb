"""One clock for every log line: Beijing time with its offset (2026-12-04 09:30:00+0800).

Used by Django's LOGGING, the Celery worker and beat (tuoyu_portal/celery.py), gunicorn
(tuoyu_portal/gunicorn_conf.py) and embedded_services's supervisor, which stamps the lines a process
prints without a clock of its own (banners, tracebacks, console e-mails). The zone is fixed rather
than the machine's: county staff and the health bureau read these logs in Beijing time.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S%z"
# A line that already starts with this clock is not stamped a second time.
STAMPED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{4}(?:\s|$)")


def stamp(when: float | None = None) -> str:
    moment = time.time() if when is None else when
    return datetime.fromtimestamp(moment, BEIJING).strftime(DATE_FORMAT)


def stamped(line: str, when: float | None = None) -> str:
    """The line with the clock in front, unless it already has it."""
    return line if STAMPED.match(line) else f"{stamp(when)} {line}"


class BeijingFormatter(logging.Formatter):
    """logging.Formatter whose %(asctime)s is Beijing time with its offset, whatever TZ says."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, BEIJING).strftime(datefmt or DATE_FORMAT)
