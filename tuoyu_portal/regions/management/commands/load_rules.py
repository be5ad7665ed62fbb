"""Load fixtures/rules/ into RegionRule: show the difference, then apply it (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu_portal.regions import rule_files


class Command(BaseCommand):
    help = "Load the cited rule files (fixtures/rules/*.yaml); --dry-run only shows the difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="show the changes, apply none")
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="a directory of rule files (default: fixtures/rules/ of the project)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            changes = rule_files.apply(options["dir"], dry_run=options["dry_run"])
        except rule_files.RuleFileError as error:
            raise CommandError(str(error)) from None
        for change in changes:
            self.stdout.write(str(change))
        counts = {a: sum(1 for c in changes if c.action == a) for a in ("add", "change", "remove")}
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"rules: {counts['add']} added, {counts['change']} changed, {counts['remove']} removed"
            f" ({verb} applied)"
            if changes
            else "rules: no changes"
        )
