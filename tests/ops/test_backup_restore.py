"""Backup and restore drill: restore into a fresh database and compare counts and content hashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from tests import factories
from tuoyu_portal.ops.backup import (
    conninfo_from_settings,
    make_backup,
    restore_backup,
    table_fingerprints,
)

pytestmark = pytest.mark.processes  # pg_dump and pg_restore


def _admin_conninfo() -> str:
    return conninfo_from_settings(dbname="postgres")


@pytest.fixture
def fresh_database() -> Any:
    name = f"{settings.DATABASES['default']['NAME']}_restore"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield conninfo_from_settings(dbname=name)
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_it_restores_database_and_documents_and_verifies_them(
    tmp_path: Path, fresh_database: str
) -> None:
    operator = factories.UserFactory(username="backup_operator")
    registration = factories.SubmittedRegistrationFactory(
        institution=factories.InstitutionFactory(owner=operator)
    )
    stored = default_storage.save("filings/1/receipt.pdf", ContentFile(b"%PDF-1.4 test document"))
    connection.close()

    folder = make_backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["registry_registration"]["rows"] == 1
    assert manifest["tables"]["regions_region"]["rows"] > 3000
    assert stored in manifest["media"]

    restored_media = tmp_path / "restored-media"
    report = restore_backup(folder, conninfo=fresh_database, media_root=restored_media)
    assert report.ok, report.mismatches
    assert report.media_files == 1
    assert (restored_media / stored).read_bytes() == b"%PDF-1.4 test document"
    assert table_fingerprints(fresh_database) == table_fingerprints(conninfo_from_settings())
    with psycopg.connect(fresh_database) as conn:
        assert (
            conn.execute("SELECT name FROM registry_registration").fetchone()[0]
            == registration.name
        )


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_over_an_existing_database(tmp_path: Path) -> None:
    connection.close()
    folder = make_backup(tmp_path / "backups")
    with pytest.raises(RuntimeError, match="not empty"):
        restore_backup(folder, conninfo=conninfo_from_settings(), media_root=tmp_path / "m")


@pytest.mark.django_db(transaction=True)
def test_a_tampered_dump_fails_verification(tmp_path: Path, fresh_database: str) -> None:
    connection.close()
    folder = make_backup(tmp_path / "backups")
    with open(folder / "database.dump", "ab") as handle:
        handle.write(b"tampered")
    report = restore_backup(folder, conninfo=fresh_database, media_root=tmp_path / "m")
    assert not report.ok
