"""Run logs read with one clock (Beijing time with its offset) and without noise."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pgtrigger
import pytest

from tuoyu_portal.logformat import BeijingFormatter, stamped

AT = datetime(2026, 12, 4, 1, 30, tzinfo=ZoneInfo("UTC")).timestamp()


def test_the_formatter_writes_beijing_time_with_its_offset_whatever_the_process_zone() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "hello"})
    record.created = AT
    formatter = BeijingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    assert formatter.format(record) == "2026-12-04 09:30:00+0800 INFO x hello"


def test_lines_without_a_clock_get_one_and_lines_with_one_keep_it() -> None:
    assert stamped("Traceback (most recent call last):", AT) == (
        "2026-12-04 09:30:00+0800 Traceback (most recent call last):"
    )
    line = "2026-12-04 09:29:59+0800 INFO celery.apps.worker celery@vm ready."
    assert stamped(line, AT) == line


def test_django_logging_uses_the_clock() -> None:
    from django.conf import settings

    formatter = settings.LOGGING["formatters"]["plain"]
    assert formatter["class"] == "tuoyu_portal.logformat.BeijingFormatter"


@pytest.mark.django_db
def test_installing_the_audit_triggers_on_migrate_writes_no_screen_of_info_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        pgtrigger.install()
    assert not [r for r in caplog.records if r.name.startswith("pgtrigger")]
