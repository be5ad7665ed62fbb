"""Connection URLs are built in one place (tuoyu_portal/service_urls.py), with proper encoding."""

from __future__ import annotations

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from psycopg.conninfo import conninfo_to_dict

from tuoyu_portal.service_urls import (
    conninfo_from_settings,
    database_url_from_settings,
    dbname_of,
    postgres_url,
    redis_url,
    with_dbname,
)

SOCKET_DIR = "/srv/some checkout/.data/pg"


def test_a_socket_directory_host_reads_back_as_that_directory_in_django_and_libpq() -> None:
    url = postgres_url(dbname="test_tuoyu", host=SOCKET_DIR, port=5432, user="postgres")
    assert "/srv" not in url.split("@", 1)[1].split("/", 1)[0]  # encoded, not a path
    parsed = dj_database_url.parse(url)
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"]) == (SOCKET_DIR, 5432, "test_tuoyu")
    libpq = conninfo_to_dict(url)
    assert (libpq["host"], libpq["port"], libpq["dbname"]) == (SOCKET_DIR, "5432", "test_tuoyu")


def test_user_password_and_database_are_encoded_too() -> None:
    url = postgres_url(dbname="db/x", host="db.example", port=6432, user="u@x", password="p:w/@?")
    libpq = conninfo_to_dict(url)
    assert (libpq["user"], libpq["password"], libpq["dbname"]) == ("u@x", "p:w/@?", "db/x")
    assert conninfo_to_dict(postgres_url(dbname="d", host="::1", port=5432))["host"] == "::1"


def test_another_database_on_the_same_server_keeps_host_and_options() -> None:
    url = postgres_url(dbname="tuoyu", host=SOCKET_DIR, port=5433, user="postgres")
    other = with_dbname(url + "?connect_timeout=3", "tuoyu_bench")
    libpq = conninfo_to_dict(other)
    assert (libpq["host"], libpq["port"], libpq["dbname"]) == (SOCKET_DIR, "5433", "tuoyu_bench")
    assert libpq["connect_timeout"] == "3"
    assert dbname_of(other) == "tuoyu_bench"


def test_redis_url() -> None:
    assert redis_url("127.0.0.1", 6390, 2) == "redis://127.0.0.1:6390/2"
    assert redis_url("127.0.0.1", 6390, 0, password="a/b") == "redis://:a%2Fb@127.0.0.1:6390/0"


@pytest.mark.django_db
def test_a_child_process_given_the_settings_url_reaches_this_very_test_database() -> None:
    """What a spawned worker gets: the same server and database, socket directory or not."""
    name = settings.DATABASES["default"]["NAME"]
    for conninfo in (database_url_from_settings(), conninfo_from_settings()):
        with psycopg.connect(conninfo, connect_timeout=5) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
    with psycopg.connect(conninfo_from_settings(dbname="postgres"), connect_timeout=5) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("postgres",)
