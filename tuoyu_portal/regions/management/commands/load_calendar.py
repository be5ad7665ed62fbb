"""Load the 国办 holiday schedules in fixtures/calendar/ (or the files given) into the calendar.

    python manage.py load_calendar              # every fixtures/calendar/<year>.yaml
    python manage.py load_calendar --dry-run    # only show what would change
    python manage.py load_calendar path/2027.yaml

Idempotent: a year whose data equals the database writes nothing and recomputes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.regions.schedules import apply_schedule, diff_schedule, read_schedule_file

DEFAULT_DIR = Path(settings.BASE_DIR) / "fixtures" / "calendar"


class Command(BaseCommand):
    help = "载入国务院办公厅年度节假日安排（fixtures/calendar/<年度>.yaml），并重算未结期限。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="年度安排文件；默认 fixtures/calendar/*.yaml")
        parser.add_argument("--dry-run", action="store_true", help="只显示差异，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["files"]] or sorted(DEFAULT_DIR.glob("*.yaml"))
        if not paths:
            self.stdout.write("没有年度安排文件。")
            return
        for path in paths:
            try:
                schedule = read_schedule_file(path)
            except OSError as exc:
                raise CommandError(f"{path}: {exc}") from exc
            except DomainError as exc:
                problems = "; ".join(f"{v.field or ''} {v.message}".strip() for v in exc.violations)
                raise CommandError(f"{path}: {problems}") from exc
            if options["dry_run"]:
                diff = diff_schedule(schedule)
            else:
                with transaction.atomic():
                    result = apply_schedule(schedule)
                diff = result.diff
            if diff.empty:
                self.stdout.write(f"{schedule.year}（{schedule.notice}）：无变化")
                continue
            for line in diff.lines():
                self.stdout.write(line)
            if options["dry_run"]:
                self.stdout.write(f"{schedule.year}：试运行，未写入")
            else:
                recomputed = result.recomputed
                moved = recomputed.changed if recomputed else 0
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{schedule.year}（{schedule.notice}）：已载入，{moved} 个未结期限已重算"
                    )
                )
