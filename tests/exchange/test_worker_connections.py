"""Celery workers keep their database connection between tasks (bench/'s push figures)."""

from __future__ import annotations

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from tuoyu_portal.celery import _fresh_enough_connection, app


@pytest.mark.django_db(transaction=True)
def test_the_fixup_no_longer_closes_the_connection_around_each_task() -> None:
    connection.ensure_connection()
    before = connection.connection
    fixup = DjangoWorkerFixup(app)
    fixup.on_task_prerun(sender=type("T", (), {"request": object()})())
    fixup.on_task_postrun(sender=type("T", (), {"request": object()})())
    assert connection.connection is before


@pytest.mark.django_db(transaction=True)
def test_a_connection_past_its_age_is_replaced_before_the_next_task() -> None:
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1  # past CONN_MAX_AGE
    _fresh_enough_connection()
    assert connection.connection is None  # closed; the next query opens a fresh one
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
