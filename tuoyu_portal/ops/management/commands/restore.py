from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu_portal.ops.backup import restore_backup


class Command(BaseCommand):
    help = "Restore a backup into a fresh database and media folder, and verify it against its manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="the backup folder written by `manage.py backup`")
        parser.add_argument(
            "--database-url", required=True, help="libpq URL of an EMPTY target database"
        )
        parser.add_argument(
            "--media-root", required=True, help="folder to restore uploaded documents into"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = restore_backup(
            Path(options["backup"]),
            conninfo=options["database_url"],
            media_root=Path(options["media_root"]),
        )
        if not report.ok:
            raise CommandError("restore verification failed:\n" + "\n".join(report.mismatches))
        self.stdout.write(
            f"restored and verified: {report.tables_checked} tables, {report.media_files} documents match the manifest"
        )
