"""Connection URLs for PostgreSQL and Redis, built in one place with proper encoding.

Everything that hands a connection to another process (embedded_services, the tests that spawn a Celery
worker or gunicorn, bench, backup and restore) builds it here. The reason: a PostgreSQL reached
over a Unix socket has a *directory* as its host. Written raw into a URL
(``postgres://u@/path/to/dir:5432/db``) it is not a host at all, and libpq falls back to its
default server, which has no such database, so the child waits until it times out. In a URL the
directory is percent-encoded (libpq and dj-database-url decode it); in a libpq keyword string it
is quoted by psycopg.

    python -m tuoyu_portal.service_urls dbname URL             the database a URL names
    python -m tuoyu_portal.service_urls with-dbname URL NAME   the same server, another database
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

DEFAULT_PG_PORT = 5432


def _host_part(host: str) -> str:
    if host.startswith("/") or host.startswith("@"):  # a socket directory (or abstract socket)
        return quote(host, safe="")
    if ":" in host and not host.startswith("["):  # an IPv6 literal
        return f"[{host}]"
    return quote(host, safe=".-_~")


def postgres_url(
    *,
    dbname: str,
    host: str = "",
    port: int | str | None = None,
    user: str = "",
    password: str | None = None,
) -> str:
    """A ``postgres://`` URL that libpq, psycopg and dj-database-url all read the same way."""
    userinfo = ""
    if user:
        userinfo = quote(user, safe="")
        if password:
            userinfo += ":" + quote(password, safe="")
        userinfo += "@"
    netloc = userinfo + (_host_part(host) if host else "")
    if port not in (None, ""):
        netloc += f":{int(port)}"
    return f"postgres://{netloc}/{quote(dbname, safe='')}"


def _settings_db(alias: str) -> Mapping[str, Any]:
    from django.conf import settings

    return settings.DATABASES[alias]


def database_url_from_settings(alias: str = "default", *, dbname: str | None = None) -> str:
    """The URL of a configured database (e.g. the pytest test database) for a child process."""
    db = _settings_db(alias)
    return postgres_url(
        dbname=dbname or str(db["NAME"]),
        host=str(db.get("HOST") or ""),
        port=db.get("PORT") or None,
        user=str(db.get("USER") or ""),
        password=str(db.get("PASSWORD") or ""),
    )


def conninfo_from_settings(alias: str = "default", *, dbname: str | None = None) -> str:
    """A libpq keyword string (``dbname=… host=…``) for psycopg, pg_dump and pg_restore."""
    from psycopg.conninfo import make_conninfo

    db = _settings_db(alias)
    params = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    return make_conninfo(**{key: value for key, value in params.items() if value})


def with_dbname(url: str, dbname: str) -> str:
    """The same server, user and options (the query string is kept), another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))


def dbname_of(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def redis_url(
    host: str = "127.0.0.1", port: int = 6379, db: int = 0, password: str | None = None
) -> str:
    auth = f":{quote(password, safe='')}@" if password else ""
    return f"redis://{auth}{_host_part(host)}:{int(port)}/{int(db)}"


def main(argv: Sequence[str]) -> int:
    if len(argv) == 3 and argv[0] == "with-dbname":
        print(with_dbname(argv[1], argv[2]))
        return 0
    if len(argv) == 2 and argv[0] == "dbname":
        print(dbname_of(argv[1]))
        return 0
    print("\n".join(__doc__.strip().splitlines()[-2:]), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
