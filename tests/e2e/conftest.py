"""Headless Chromium (Debian's package, launched through executable_path) against the live server.

Screenshots go to docs/screens/ (desktop 1366×768, phone 390×844) for docs/tour.md.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not executable:
        pytest.fail("Chromium is not installed: apt-get install chromium (make e2e does it in CI)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def portal(live_server: Any, settings: Any) -> str:
    """The live server with the demo users and data, as `make run` has them."""
    from django.core.management import call_command

    settings.DEBUG = True  # seed_demo refuses otherwise; pages behave as in `make run`
    settings.DEMO_PASSWORD = "tuoyu-demo-2026"
    restore_migration_data()
    call_command("seed_demo", stdout=StringIO())
    return str(live_server.url)


def restore_migration_data() -> None:
    """Put back what data migrations create: a transactional test's flush removed it.

    The checklist templates and the "inspectors" group come from a data migration; without them
    seed_demo (and the inspector in the admin) cannot record a visit.
    """
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    from inspections.checklists import TEMPLATES
    from inspections.models import ChecklistTemplate

    migration = import_module("inspections.migrations.0002_seed_checklists_and_group")
    for data in TEMPLATES:
        ChecklistTemplate.objects.update_or_create(
            code=data["code"], version=data["version"], defaults={**data}
        )
    group, _created = Group.objects.get_or_create(name="inspectors")
    codenames = [
        f"{verb}_{m}" for m in migration.INSPECTOR_MODELS for verb in ("add", "change", "view")
    ]
    codenames += [f"view_{m}" for m in migration.VIEW_ONLY_MODELS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="inspections", codename__in=codenames)
    )


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)  # fail fast: a step that takes 10 s is broken
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)  # fail fast: a step that takes 10 s is broken
    page = context.new_page()
    yield page
    context.close()


def shot(page: Any, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, base: str, username: str, password: str = "tuoyu-demo-2026") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def serious_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    # Rule id and the offending elements only, so a failing assert says what to fix.
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [" ".join(map(str, n["target"])) + " " + n["html"][:120] for n in v["nodes"]],
        }
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
