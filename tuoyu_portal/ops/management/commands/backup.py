from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tuoyu_portal.ops.backup import make_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and uploaded documents, with a verification manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / ".data" / "backups"))

    def handle(self, *args: Any, **options: Any) -> None:
        folder = make_backup(Path(options["dir"]))
        self.stdout.write(f"backup written to {folder}")
