"""Per-install secrets for development, and random ones for test runs.

No secret has a default in the code: with DEBUG on, SECRET_KEY,
FIELD_ENCRYPTION_KEY and HEALTH_DEPT_PUSH_SECRET come from the environment, else from a file
under .data/ that the first start of the checkout writes with mode 0600 and every later start
reads (FIELD_ENCRYPTION_KEY must never change under existing data: ID numbers encrypted with it
would become unreadable). Test runs use fresh random values. Production (DEBUG off) sets them
itself and refuses to start without them (settings.py).
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

SECRETS_FILE_ENV = "SECRETS_FILE"  # where the per-install file lives (default .data/secrets.env)
DEFAULT_FILE = Path(__file__).resolve().parent.parent / ".data" / "secrets.env"

GENERATORS: dict[str, Callable[[], str]] = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "HEALTH_DEPT_PUSH_SECRET": lambda: secrets.token_hex(32),
}
NAMES = tuple(GENERATORS)


def secrets_file() -> Path:
    return Path(os.environ.get(SECRETS_FILE_ENV) or DEFAULT_FILE)


def random_secrets() -> dict[str, str]:
    return {name: make() for name, make in GENERATORS.items()}


def _parse(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name in GENERATORS and value:
            values[name] = value
    return values


def load_or_create(path: Path, *, initial: Mapping[str, str] | None = None) -> dict[str, str]:
    """The secrets kept in `path`, creating the file (0600) or adding missing names first.

    `initial` seeds values for names the file does not have yet (an existing data directory's
    encryption key, see embedded_services). Concurrent first starts agree: the file is created
    exclusively, and a loser reads the winner's values.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        values = _parse(path.read_text(encoding="utf-8"))
        if all(name in values for name in NAMES):
            _tighten(path)
            return values
    values = {}
    with contextlib.suppress(FileNotFoundError):
        values = _parse(path.read_text(encoding="utf-8"))
    for name, make in GENERATORS.items():
        if name not in values:
            values[name] = (initial or {}).get(name) or make()
    body = "# Per-install development secrets (never commit; make distclean removes them).\n"
    body += "".join(f"{name}={values[name]}\n" for name in NAMES)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    if path.exists():  # filling in names an older file lacked: keep what it had
        os.replace(scratch, path)
    else:
        try:
            os.link(scratch, path)  # fails if a concurrent start created it first
        except FileExistsError:
            scratch.unlink()
            return load_or_create(path, initial=initial)
        scratch.unlink()
    _tighten(path)
    return values


def _tighten(path: Path) -> None:
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def missing(environ: Mapping[str, str]) -> list[str]:
    """Names not set in the environment (directly or through NAME_FILE)."""
    return [name for name in NAMES if not environ.get(name) and not environ.get(f"{name}_FILE")]


def legacy_field_key() -> str:
    """The encryption key checkouts derived from their path before per-install secrets.

    Adopted once, by embedded_services, only when the file is first written for a database that
    already holds migrated data (that data's ID numbers are encrypted with it); a new install
    gets a random key. make distclean starts afresh with a random one.
    """
    import hashlib

    old_secret_key = "insecure-dev-key-" + str(DEFAULT_FILE.parent.parent)
    digest = hashlib.sha256(("field-key:" + old_secret_key).encode()).digest()
    return base64.b64encode(digest).decode()


def install_secrets(initial: Mapping[str, str] | None = None) -> dict[str, str]:
    """The checkout's per-install secrets (created on first use)."""
    return load_or_create(secrets_file(), initial=initial)
