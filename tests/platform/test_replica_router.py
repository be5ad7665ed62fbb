"""The replica router's rules that need no standby (tests/ops/test_replica.py has the real one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from registry.models import Filing, Institution
from tuoyu_portal.accounts.models import User
from tuoyu_portal.db import replica
from tuoyu_portal.db.replica import (
    PRIMARY,
    REPLICA,
    ReplicaRouter,
    RequestReads,
    _current,
    _watch_writes,
)


@pytest.fixture
def reads_on_replica() -> Iterator[RequestReads]:
    """A request already decided for the replica."""
    state = RequestReads(None, decided=True, use_replica=True)
    token = _current.set(state)
    yield state
    _current.reset(token)


def test_reads_after_a_write_in_the_same_request_go_to_the_primary(
    reads_on_replica: RequestReads,
) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Filing) == REPLICA
    assert router.db_for_write(Institution) == PRIMARY
    assert reads_on_replica.wrote
    assert router.db_for_read(Filing) is None  # the primary from now on


def test_sign_in_data_is_always_read_from_the_primary(reads_on_replica: RequestReads) -> None:
    from django.contrib.sessions.models import Session
    from rest_framework.authtoken.models import Token

    router = ReplicaRouter()
    for model in (User, Session, Token):
        assert router.db_for_read(model) is None


@pytest.mark.django_db
def test_a_raw_write_counts_as_a_write(reads_on_replica: RequestReads) -> None:
    with connection.execute_wrapper(_watch_writes(reads_on_replica)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert not reads_on_replica.wrote
        with connection.cursor() as cursor:
            cursor.execute("UPDATE registry_institution SET name = name WHERE false")
    assert reads_on_replica.wrote


def test_instances_from_either_copy_may_be_related() -> None:
    a, b = Institution(), Institution()
    a._state.db, b._state.db = PRIMARY, REPLICA
    assert ReplicaRouter().allow_relation(a, b) is True
    assert ReplicaRouter().allow_migrate(REPLICA, "registry") is False
    assert ReplicaRouter().allow_migrate(PRIMARY, "registry") is None


def test_outside_a_request_every_read_is_on_the_primary() -> None:
    assert _current.get() is None
    assert ReplicaRouter().db_for_read(Filing) is None


@pytest.mark.django_db
def test_without_a_replica_the_middleware_changes_nothing(settings: Any) -> None:
    assert REPLICA not in settings.DATABASES
    response = Client().get("/api/v1/public/facilities/")
    assert response.status_code == 200
    assert replica.PIN_COOKIE not in response.cookies
