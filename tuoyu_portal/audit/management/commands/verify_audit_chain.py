"""`manage.py verify_audit_chain`: recompute the audit hash chain; exit 1 on any tampering."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tuoyu_portal.audit.chain import checkpoint_through, verify_chain


class Command(BaseCommand):
    help = "Recompute the daily audit hash chain and fail if any event or checkpoint changed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--seal-through",
            help="first write missing checkpoints up to this ISO date (e.g. yesterday)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("seal_through"):
            from datetime import date

            checkpoint_through(date.fromisoformat(options["seal_through"]))
        report = verify_chain()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(
                f"audit chain broken: {len(report.problems)} problem(s) in {report.checked} checkpoints"
            )
        self.stdout.write(f"audit chain intact: {report.checked} checkpoints verified")
