"""Reads from a real hot standby (tuoyu_portal/db/replica.py), started here by pg_basebackup -R.

The portal runs in this process against our own primary (tests/ops/standby.py says why not the
test server itself), with the `replica` alias on the standby: the router, the middleware and
the fallback are exercised against PostgreSQL's own streaming replication, not a second alias
to the same database.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection, connections
from django.test import Client

from registry.models import Filing
from tests.conftest import client_for
from tests.exchange.brokers import wait_for
from tests.factories import FiledFilingFactory
from tests.ops.standby import PrimaryAndStandby
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.db import replica
from tuoyu_portal.db.replica import PIN_COOKIE, REPLICA

# The `replica` alias is a mirror for the test framework: nothing is flushed or created on it.
pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]

PUBLIC_LIST = "/api/v1/public/facilities/"


@pytest.fixture(scope="module")
def pair(django_db_setup: Any, django_db_blocker: Any) -> Iterator[PrimaryAndStandby]:
    """Our primary and its standby, and the `replica` alias on the standby (set up before each
    test's database fixture, which must know the alias)."""
    from tuoyu_portal.regions.models import Region

    with django_db_blocker.unblock():
        if not Region.objects.exists():  # the copy needs the reference data
            call_command("load_regions", verbosity=0)
            call_command("load_rules", verbosity=0)
        dbname = str(connection.settings_dict["NAME"])
        major = connection.cursor().connection.info.server_version // 10000
    servers = PrimaryAndStandby(dbname, major)
    try:
        servers.start()
        standby = copy.deepcopy(connections.settings["default"])
        standby.update(HOST="127.0.0.1", PORT=str(servers.standby.port), NAME=dbname)
        standby.update(USER="postgres", PASSWORD="")
        standby["OPTIONS"] = {**standby["OPTIONS"], "connect_timeout": 2}
        standby["TEST"] = {**standby["TEST"], "MIRROR": "default"}
        connections.settings[REPLICA] = standby  # the same dict as settings.DATABASES
        yield servers
    finally:
        with contextlib.suppress(Exception):
            connections[REPLICA].close()
        with contextlib.suppress(AttributeError):
            del connections[REPLICA]
        connections.settings.pop(REPLICA, None)
        servers.stop()


@pytest.fixture
def portal(pair: PrimaryAndStandby, transactional_db: None, settings: Any) -> Iterator[Any]:
    """`default` on our primary for this test (the `replica` alias is on its standby)."""
    settings.REPLICA_CHECK_SECONDS = 0
    settings.REPLICA_MAX_LAG = 5
    settings.REPLICA_PIN_SECONDS = 15
    default = connections.settings["default"]
    saved = {key: default.get(key) for key in ("HOST", "PORT", "NAME", "USER", "PASSWORD")}
    connections["default"].close()
    default.update(HOST="127.0.0.1", PORT=str(pair.primary.port), NAME=pair.dbname)
    default.update(USER="postgres", PASSWORD="")
    replica.forget_health()
    try:
        yield pair
    finally:
        connections[REPLICA].close()
        connections["default"].close()
        default.update(saved)
        replica.forget_health()


def on_standby(pair: PrimaryAndStandby, sql: str, params: list[Any]) -> Any:
    with psycopg.connect(pair.standby.conninfo(pair.dbname), autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def replicated(pair: PrimaryAndStandby, filing: Filing) -> None:
    sql = "SELECT filing_number FROM registry_filing WHERE id = %s"
    wait_for(lambda: on_standby(pair, sql, [filing.pk]) == filing.filing_number, 30, "replay")


def filing_numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [row["filing_number"] for row in response.json()["results"]]


class Captured:
    """The statements a connection runs meanwhile, without connecting it (the standby may be
    down; Django's CaptureQueriesContext would connect first)."""

    def __init__(self, alias: str) -> None:
        self.connection = connections[alias]
        self.sql: list[str] = []

    def __enter__(self) -> Captured:
        self.forced = self.connection.force_debug_cursor
        self.connection.force_debug_cursor = True
        self.connection.queries_log.clear()
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.force_debug_cursor = self.forced
        self.sql = [query["sql"] for query in self.connection.queries_log]

    def reads(self) -> int:
        """Statements on the portal's own tables (not the lag check)."""
        return sum('"registry_' in sql or '"inspections_' in sql for sql in self.sql)


def served(client: Any, url: str) -> tuple[Any, int, int]:
    """The response, and how many of its reads went to the replica / to the primary."""
    # What the WSGI handler does at every request start (the test client leaves it out): a
    # connection that died since the last request is found by its health check.
    close_old_connections()
    with Captured(REPLICA) as on_replica, Captured("default") as on_primary:
        response = client.get(url)
    return response, on_replica.reads(), on_primary.reads()


def test_a_write_on_the_primary_appears_on_the_standby_and_public_reads_are_served_there(
    portal: PrimaryAndStandby,
) -> None:
    filing = FiledFilingFactory()
    replicated(portal, filing)
    response, on_replica, on_primary = served(Client(), PUBLIC_LIST)
    assert filing.filing_number in filing_numbers(response)
    assert on_replica >= 1 and on_primary == 0
    with connections[REPLICA].cursor() as cursor:  # the very connection that served the read
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        assert cursor.fetchone() == (True, str(portal.standby.port))
    # A supervisor's statistics too, but nobody else's pages.
    supervisor = User.objects.create(username="sd_sup", role=Role.SUPERVISOR, region_id="370000")
    operator = User.objects.create(username="op_a", role=Role.OPERATOR, region_id="371103")
    response, on_replica, on_primary = served(
        client_for(supervisor), "/api/v1/stats/regions/370000/"
    )
    assert response.status_code == 200 and on_replica >= 1 and on_primary == 0
    _response, on_replica, _on_primary = served(client_for(operator), "/api/v1/filings/")
    assert on_replica == 0
    # A signed-in caller of the public register reads the primary (it is for anonymous callers).
    _response, on_replica, on_primary = served(client_for(operator), PUBLIC_LIST)
    assert on_replica == 0 and on_primary >= 1


def test_a_writer_reads_its_own_writes_from_the_primary_for_the_pin_window(
    portal: PrimaryAndStandby, settings: Any
) -> None:
    settings.REPLICA_PIN_SECONDS = 60  # far longer than this test takes on a busy machine
    filing = FiledFilingFactory()
    replicated(portal, filing)
    User.objects.create_user(
        "sd_writer", password="correct-horse-battery", role=Role.SUPERVISOR, region_id="370000"
    )
    browser = Client()
    signed_in = browser.post(
        "/accounts/login/", {"username": "sd_writer", "password": "correct-horse-battery"}
    )
    assert signed_in.status_code == 302, signed_in.content[:500]
    assert PIN_COOKIE in signed_in.cookies  # signing in wrote (the session, last_login)
    response, on_replica, on_primary = served(browser, "/dashboard/")
    assert response.status_code == 200
    assert on_replica == 0 and on_primary >= 1
    # The same user elsewhere (another browser, no cookie) is pinned through the shared cache.
    elsewhere = Client()
    elsewhere.force_login(User.objects.get(username="sd_writer"))
    _response, on_replica, _on_primary = served(elsewhere, "/dashboard/")
    assert on_replica == 0
    # An anonymous visitor who wrote is pinned by the cookie alone.
    visitor = Client()
    visitor.cookies[PIN_COOKIE] = signed_in.cookies[PIN_COOKIE].value
    _response, on_replica, _on_primary = served(visitor, PUBLIC_LIST)
    assert on_replica == 0
    settings.REPLICA_PIN_SECONDS = 1  # the window ends: back to the replica
    time.sleep(1.2)
    _response, on_replica, on_primary = served(elsewhere, "/dashboard/")
    assert on_replica >= 1 and on_primary == 0
    _response, on_replica, _on_primary = served(Client(), PUBLIC_LIST)
    assert on_replica >= 1


def test_a_lagging_or_stopped_standby_changes_nothing_for_users(
    portal: PrimaryAndStandby, settings: Any
) -> None:
    settings.REPLICA_MAX_LAG = 1
    first = FiledFilingFactory()
    replicated(portal, first)
    assert filing_numbers(served(Client(), PUBLIC_LIST)[0]).count(first.filing_number) == 1
    # Lag: replay paused on the standby, a new facility filed on the primary.
    on_standby(portal, "SELECT pg_wal_replay_pause()", [])
    try:
        time.sleep(1.2)
        second = FiledFilingFactory()
        received = "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"
        wait_for(lambda: on_standby(portal, received, []), 10, "the new WAL to arrive unreplayed")
        response, on_replica, on_primary = served(Client(), PUBLIC_LIST)
        assert second.filing_number in filing_numbers(response)  # stale replica not used
        assert on_replica == 0 and on_primary >= 1
    finally:
        on_standby(portal, "SELECT pg_wal_replay_resume()", [])
    replicated(portal, second)
    wait_for(lambda: served(Client(), PUBLIC_LIST)[1] >= 1, 20, "reads back on the replica")
    # Stopped: with the last check still cached as fresh, the dead connection is noticed and
    # the primary answers; every later request too.
    settings.REPLICA_CHECK_SECONDS = 60
    expected = filing_numbers(served(Client(), PUBLIC_LIST)[0])
    portal.standby.stop()
    try:
        for _ in range(3):
            response, _on_replica, on_primary = served(Client(), PUBLIC_LIST)
            assert filing_numbers(response) == expected
            assert on_primary >= 1
        settings.REPLICA_CHECK_SECONDS = 0  # the periodic check finds it down as well
        assert filing_numbers(served(Client(), PUBLIC_LIST)[0]) == expected
    finally:
        portal.standby.run_ctl("start")
    wait_for(portal.streaming, 30, "the standby to stream again")
