"""Demo users and data exactly as api.md "Demo data" describes. Idempotent."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.regions.models import Region

DEMO_USERS: list[dict[str, str]] = [
    {
        "username": "operator",
        "role": Role.OPERATOR,
        "region": "371103",
        "last_name": "王",
        "first_name": "举办者",
    },
    {
        "username": "operator2",
        "role": Role.OPERATOR,
        "region": "141023",
        "last_name": "李",
        "first_name": "举办者",
    },
    {
        "username": "bianban",
        "role": Role.REGISTRAR,
        "region": "371103",
        "authority": "bianban",
        "last_name": "岚山区",
        "first_name": "编办",
    },
    {
        "username": "minzheng",
        "role": Role.REGISTRAR,
        "region": "371103",
        "authority": "minzheng",
        "last_name": "岚山区",
        "first_name": "民政局",
    },
    {
        "username": "scjg",
        "role": Role.REGISTRAR,
        "region": "371103",
        "authority": "scjg",
        "last_name": "岚山区",
        "first_name": "市场监管局",
    },
    # 岚山's 行政审批服务局 registers legal persons (岚政办字〔2024〕5号; fixtures/rules/371103.yaml):
    # its for-profit and non-profit registrations are routed here.
    {
        "username": "xzsp",
        "role": Role.REGISTRAR,
        "region": "371103",
        "authority": "xzsp",
        "last_name": "岚山区",
        "first_name": "行政审批服务局",
    },
    {
        "username": "scjg2",
        "role": Role.REGISTRAR,
        "region": "141023",
        "authority": "scjg",
        "last_name": "襄汾县",
        "first_name": "市场监管局",
    },
    {
        "username": "health",
        "role": Role.HEALTH_REVIEWER,
        "region": "371103",
        "last_name": "岚山区",
        "first_name": "卫健局",
    },
    {
        "username": "health2",
        "role": Role.HEALTH_REVIEWER,
        "region": "141023",
        "last_name": "襄汾县",
        "first_name": "卫体局",
    },
    {
        "username": "inspector",
        "role": Role.INSPECTOR,
        "region": "371103",
        "department": "health",
        "last_name": "岚山区",
        "first_name": "卫生监督员",
    },
    {
        # Not in api.md's table: 襄汾's inspector, so the second demo county has visits too.
        "username": "inspector2",
        "role": Role.INSPECTOR,
        "region": "141023",
        "department": "health",
        "last_name": "襄汾县",
        "first_name": "卫生监督员",
    },
    {
        "username": "subsidy",
        "role": Role.SUBSIDY_OFFICER,
        "region": "371103",
        "last_name": "岚山区",
        "first_name": "补贴审核员",
    },
    {
        "username": "province",
        "role": Role.SUPERVISOR,
        "region": "370000",
        "last_name": "山东省",
        "first_name": "卫健委",
    },
]

# Each app may contribute demo data through a `demo.seed(stdout)` function; apps built later plug
# in here without this command changing.
DEMO_MODULES = [
    "registry.demo.plan",  # a year of registrations, filings and changes (fixtures/demo/)
    "registry.demo.staff",  # staff rosters, bans, public register
    "inspections.demo",
    "subsidies.demo",
    "registry.demo.parents",  # free places on the public register
    "tuoyu_portal.notifications.demo",  # last: scans the demo data above into the inboxes
]


class Command(BaseCommand):
    help = "Create the demo users (password from DEMO_PASSWORD) and demo data. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: demo users with a known password would be created. Use --force."
            )
        if not Region.objects.exists():
            call_command("load_regions", stdout=self.stdout)
        with transaction.atomic():
            for spec in DEMO_USERS:
                seed_user(spec, settings.DEMO_PASSWORD)
        self.stdout.write(f"demo users: {len(DEMO_USERS)} ready")
        for module_name in DEMO_MODULES:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            module.seed(self.stdout)


def seed_user(spec: dict[str, str], password: str) -> User:
    user, created = User.objects.get_or_create(username=spec["username"])
    user.role = spec["role"]
    user.region_id = spec["region"]
    user.authority = spec.get("authority", "")
    user.department = spec.get("department", "")
    user.first_name = spec.get("first_name", "")
    user.last_name = spec.get("last_name", "")
    user.is_active = True
    # Inspectors work in the admin (architecture.md); the admin requires is_staff.
    user.is_staff = spec["role"] == Role.INSPECTOR
    if created or not user.check_password(password):
        user.set_password(password)
    user.save()
    return user
